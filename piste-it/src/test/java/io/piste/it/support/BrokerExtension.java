package io.piste.it.support;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Starts one in-process broker for a test class and stops it after the last test:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final BrokerExtension BROKER = BrokerExtension.withOverrides("num.partitions", "2");
 * }</pre>
 *
 * <p>The log dir is under {@code target/it-data/}; it is deleted after a class whose tests all passed and kept
 * otherwise, so that a failure can be diagnosed from the files the broker wrote.
 */
public final class BrokerExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    private final Map<String, String> overrides;
    private TestBroker broker;
    private Path logDir;
    private volatile boolean anyFailed;

    private BrokerExtension(final Map<String, String> overrides) {
        this.overrides = overrides;
    }

    /** Config overrides as key, value, key, value... */
    public static BrokerExtension withOverrides(final String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("overrides must be key/value pairs, got " + keyValues.length);
        }
        final Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        return new BrokerExtension(overrides);
    }

    public static BrokerExtension defaults() {
        return withOverrides();
    }

    public TestBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("broker not started: register the extension on a static field");
        }
        return broker;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    @Override
    public void beforeAll(final ExtensionContext context) throws Exception {
        logDir = TestDirs.create(context.getRequiredTestClass().getSimpleName());
        broker = TestBroker.start(logDir.resolve("logs"), overrides);
    }

    @Override
    public void afterAll(final ExtensionContext context) {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            broker = null;
            if (!anyFailed && context.getExecutionException().isEmpty()) {
                TestDirs.deleteQuietly(logDir);
            }
        }
    }

    @Override
    public void testFailed(final ExtensionContext context, final Throwable cause) {
        anyFailed = true;
    }

    @Override
    public void testAborted(final ExtensionContext context, final Throwable cause) {
        // An aborted test (failed assumption) says nothing about the broker's files.
    }

    @Override
    public void testDisabled(final ExtensionContext context, final Optional<String> reason) {}
}
