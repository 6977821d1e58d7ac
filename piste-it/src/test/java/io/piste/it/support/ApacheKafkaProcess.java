package io.piste.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An Apache Kafka 4.4.0 broker (KRaft, combined broker and controller, node 1) in a child JVM, on the jars that
 * {@code bench/kafka/pom.xml} resolves. Only where that classpath was written to {@link #classpathFile()} (by
 * {@code bench/compare}, or by {@code ./mvnw -f bench/kafka/pom.xml dependency:build-classpath
 * -Dmdep.outputFile=target/kafka.classpath}); tests skip otherwise. Not thread-safe.
 */
public final class ApacheKafkaProcess implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final int port;
    private final Path log;

    private ApacheKafkaProcess(final Process process, final int port, final Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Where bench/compare keeps Kafka's classpath. */
    public static Path classpathFile() {
        return PisteCli.repositoryRoot().resolve("bench/kafka/target/kafka.classpath");
    }

    public static boolean available() {
        return Files.isRegularFile(classpathFile());
    }

    /** Formats {@code dir/data} and starts a broker on two free loopback ports; waits until it is started. */
    public static ApacheKafkaProcess start(final Path dir) throws IOException, InterruptedException {
        final String classpath =
                Files.readString(classpathFile(), StandardCharsets.UTF_8).trim();
        final int port = freePort();
        final int controllerPort = freePort();
        final Path properties = dir.resolve("server.properties");
        Files.writeString(
                properties,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "inter.broker.listener.name=PLAINTEXT",
                        "controller.listener.names=CONTROLLER",
                        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                        "log.dirs=" + dir.resolve("data"),
                        "offsets.topic.replication.factor=1",
                        "share.coordinator.state.topic.replication.factor=1",
                        "share.coordinator.state.topic.min.isr=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        ""),
                StandardCharsets.UTF_8);
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String log4j = "-Dlog4j2.configurationFile="
                + PisteCli.repositoryRoot().resolve("bench/kafka/log4j2-broker.properties");
        Exec.run(
                        List.of(
                                java,
                                log4j,
                                "-cp",
                                classpath,
                                "kafka.tools.StorageTool",
                                "format",
                                "-t",
                                "Xq3mTq2aQdyX1Gq0v1x7Zw",
                                "-c",
                                properties.toString(),
                                "--standalone"),
                        "",
                        Duration.ofSeconds(120))
                .assertSuccess();
        final Path log = dir.resolve("broker.log");
        final Process process = new ProcessBuilder(
                        java, "-Xmx512m", log4j, "-cp", classpath, "kafka.Kafka", properties.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        final ApacheKafkaProcess kafka = new ApacheKafkaProcess(process, port, log);
        final boolean started = Bounded.waitFor(START_TIMEOUT, Duration.ofMillis(200), kafka::started);
        if (!started) {
            kafka.close();
            throw new AssertionError("Apache Kafka did not start within " + START_TIMEOUT + "; see " + log);
        }
        return kafka;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    private boolean started() {
        if (!process.isAlive()) {
            throw new AssertionError("Apache Kafka exited with " + process.exitValue() + "; see " + log);
        }
        try {
            return Files.readString(log, StandardCharsets.UTF_8).contains("Kafka Server started");
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
