package io.piste.it.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Brokers in child processes for one test, torn down after it: each one {@link #start started} here and still
 * running when the test ends is killed with SIGKILL (quick, and the test is over: its data no longer matters). Runs
 * after the test class's own {@code @AfterEach} methods. Register it on an instance field:
 *
 * <pre>{@code
 * @RegisterExtension
 * final BrokerProcesses brokers = new BrokerProcesses();
 * }</pre>
 */
public final class BrokerProcesses implements AfterEachCallback {
    private final List<BrokerProcess> started = new ArrayList<>();

    /** As {@link BrokerProcess#start}, torn down after the test. */
    public BrokerProcess start(
            final String name, final Path logDir, final Path outputDir, final Map<String, String> overrides) {
        final BrokerProcess broker = BrokerProcess.start(name, logDir, outputDir, overrides);
        started.add(broker);
        return broker;
    }

    /** As {@link BrokerProcess#launch}, torn down after the test. */
    public BrokerProcess launch(
            final String name, final Path logDir, final Path outputDir, final Map<String, String> overrides) {
        final BrokerProcess broker = BrokerProcess.launch(name, logDir, outputDir, overrides);
        started.add(broker);
        return broker;
    }

    @Override
    public void afterEach(final ExtensionContext context) {
        AssertionError failed = null;
        for (final BrokerProcess broker : started) {
            try {
                if (broker.isAlive()) {
                    broker.kill9();
                }
            } catch (final AssertionError e) {
                // Kill the others first; report each one that did not die.
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        started.clear();
        if (failed != null) {
            throw failed;
        }
    }
}
