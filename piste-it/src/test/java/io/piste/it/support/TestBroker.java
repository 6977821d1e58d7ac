package io.piste.it.support;

import io.piste.broker.group.PartitionLag;
import io.piste.broker.partition.Partition;
import io.piste.server.PisteServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One in-process Piste broker on a loopback port, with its log directory, that can be stopped and
 * started again on the same directory and the same port (so that running clients reconnect to it).
 *
 * <p>The first start binds an ephemeral port ({@code listeners=PLAINTEXT://127.0.0.1:0}) unless the
 * overrides name a listener; every restart binds the port the first start got. Not thread-safe: one
 * test thread drives it.
 */
public final class TestBroker implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

    private final Path logDir;
    private final Map<String, String> overrides;
    private PisteServer server;
    private int port;

    private TestBroker(final Path logDir, final Map<String, String> overrides) {
        this.logDir = logDir;
        this.overrides = new LinkedHashMap<>(overrides);
    }

    /**
     * Starts a broker whose {@code log.dirs} is {@code logDir}, with Kafka-named config overrides.
     */
    public static TestBroker start(final Path logDir, final Map<String, String> overrides) throws Exception {
        final TestBroker broker = new TestBroker(logDir, overrides);
        broker.startServer();
        return broker;
    }

    public static TestBroker start(final Path logDir) throws Exception {
        return start(logDir, Map.of());
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The port of the running broker's metrics endpoint (/metrics, /health, /ready), -1 if it has none. */
    public int metricsPort() {
        return server.metricsPort();
    }

    public Path logDir() {
        return logDir;
    }

    /** The broker's own view of every group's lag (see {@code PisteServer#consumerLag}). */
    public List<PartitionLag> consumerLag() {
        return server.consumerLag();
    }

    /** How many fetch sessions the running broker holds (see {@code PisteServer#fetchSessionCount}). */
    public int fetchSessionCount() {
        return server.fetchSessionCount();
    }

    /** How many fetch sessions the running broker evicted since it started. */
    public long fetchSessionEvictions() {
        return server.fetchSessionEvictions();
    }

    /** How many (long-poll fetch, partition) waits for new data the running broker holds. */
    public int fetchWaiterCount() {
        return server.fetchWaiterCount();
    }

    /** How many long-poll fetches the running broker holds parked. */
    public int parkedFetchCount() {
        return server.parkedFetchCount();
    }

    /** Partition {@code index} of {@code topic} in the running broker (its internal append path), or null. */
    public Partition partition(final String topic, final int index) {
        return server.partition(topic, index);
    }

    public boolean isRunning() {
        return server != null;
    }

    /** The config the broker was (or will be) started with; listeners reflects the bound port after the first start. */
    public Properties config() {
        final Properties config = new Properties();
        config.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port);
        config.setProperty("log.dirs", logDir.toString());
        config.setProperty("node.id", "1");
        // Never the default 9644: brokers of parallel tests (and a broker running on the machine) would collide.
        config.setProperty("metrics.http.listener", "127.0.0.1:0");
        overrides.forEach(config::setProperty);
        if (port != 0) {
            // Restarts keep the port so that clients which cached the broker's address find it again.
            config.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port);
        }
        return config;
    }

    /** Clean shutdown (flush, clean-shutdown marker) bounded by {@link #CLOSE_TIMEOUT}. */
    public void stop() {
        if (server == null) {
            return;
        }
        final PisteServer closing = server;
        server = null;
        Bounded.run("close broker on " + bootstrapServers(), CLOSE_TIMEOUT, closing::close);
    }

    /** Starts again on the same log dir and the same port. */
    public void startAgain() throws Exception {
        if (server != null) {
            throw new IllegalStateException("broker already running on " + bootstrapServers());
        }
        startServer();
    }

    public void restart() throws Exception {
        stop();
        startAgain();
    }

    @Override
    public void close() {
        stop();
    }

    private void startServer() throws Exception {
        final Properties config = config();
        final PisteServer started =
                Bounded.call("start broker in " + logDir, START_TIMEOUT, () -> PisteServer.start(config));
        if (port != 0 && started.port() != port) {
            started.close();
            throw new AssertionError("broker restarted on port " + started.port() + ", expected " + port);
        }
        server = started;
        port = started.port();
        if (!overrides.containsKey("advertised.listeners")
                && !bootstrapServers().equals(started.bootstrapServers())) {
            throw new AssertionError(
                    "bootstrapServers()=" + started.bootstrapServers() + ", expected " + bootstrapServers());
        }
    }
}
