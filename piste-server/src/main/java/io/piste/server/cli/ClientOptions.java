package io.piste.server.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Option;

/**
 * The options every client command shares (a picocli mixin): where the cluster is, the client properties file
 * Kafka's tools take as {@code --command-config}, how long to wait for the cluster, and {@code --verbose}.
 */
public final class ClientOptions {
    static final int DEFAULT_API_TIMEOUT_MS = 10_000;

    @Option(
            names = {"-b", "--bootstrap-server"},
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            defaultValue = "${env:PISTE_BOOTSTRAP_SERVER:-127.0.0.1:9092}",
            description = "The cluster to talk to (default: ${DEFAULT-VALUE}; env PISTE_BOOTSTRAP_SERVER).")
    String bootstrapServer;

    @Option(
            names = "--command-config",
            paramLabel = "FILE",
            description = "Client properties (security.protocol, sasl.*, ssl.*, ...), as Kafka's tools take.")
    Path commandConfig;

    @Option(
            names = "--api-timeout-ms",
            paramLabel = "MS",
            defaultValue = "" + DEFAULT_API_TIMEOUT_MS,
            description = "How long to wait for the cluster to answer, first connection included "
                    + "(default: ${DEFAULT-VALUE}).")
    int apiTimeoutMs;

    @Option(
            names = "--verbose",
            description = "Print stack traces of errors (and, from bin/piste, the clients' warnings).")
    boolean verbose;

    String bootstrapServer() {
        return bootstrapServer;
    }

    int apiTimeoutMs() {
        return apiTimeoutMs;
    }

    boolean verbose() {
        return verbose;
    }

    /** The properties every client gets: the command config file, then the bootstrap servers and timeouts. */
    Map<String, Object> common() throws CliException {
        if (apiTimeoutMs <= 0) {
            throw new CliException("--api-timeout-ms must be positive, got " + apiTimeoutMs);
        }
        Map<String, Object> config = new HashMap<>(readCommandConfig());
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServer);
        config.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "piste-cli");
        config.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, apiTimeoutMs);
        config.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, apiTimeoutMs);
        // Retry a lost connection soon: a command waits at most apiTimeoutMs anyway.
        config.putIfAbsent(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return config;
    }

    Map<String, Object> admin() throws CliException {
        return common();
    }

    Map<String, Object> producer() throws CliException {
        Map<String, Object> config = common();
        // A send blocks at most this long for metadata or buffer space; delivery gets the request time plus linger.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, apiTimeoutMs);
        config.remove(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG);
        return config;
    }

    Map<String, Object> consumer() throws CliException {
        Map<String, Object> config = common();
        // Reading must never create a topic, whatever the broker's auto.create.topics.enable says.
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return config;
    }

    private Map<String, String> readCommandConfig() throws CliException {
        if (commandConfig == null) {
            return Map.of();
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(commandConfig)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new CliException("--command-config: no such file " + commandConfig);
        } catch (IOException e) {
            throw new CliException("--command-config: cannot read " + commandConfig + ": " + e.getMessage());
        }
        Map<String, String> values = new HashMap<>();
        for (String name : props.stringPropertyNames()) {
            values.put(name, props.getProperty(name));
        }
        return values;
    }
}
