package io.piste.it.streams;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A word-count Kafka Streams application with {@code exactly_once_v2}, run in its own JVM by {@link
 * StreamsExactlyOnceIT} so that the test can kill it with SIGKILL. Lines from the input topic are split into words,
 * regrouped by word (a repartition topic) and counted in a persistent (RocksDB) store named {@value #STORE}, whose
 * changelog is {@code <application.id>-counts-changelog}; each new count goes to the output topic.
 *
 * <p>Arguments: bootstrap servers, application.id, state.dir, input topic, output topic. It prints each state change
 * of the client on stdout ({@code STATE RUNNING}), stops on an uncaught error, and exits by itself after {@link
 * #MAX_LIFETIME} so that no run outlives a failed test for long.
 */
public final class WordCountApp {
    static final String STORE = "counts";
    static final Duration MAX_LIFETIME = Duration.ofSeconds(120);

    private WordCountApp() {}

    /** The words of a line, as the test counts them too. */
    static String[] words(final String line) {
        return line.toLowerCase(Locale.ROOT).trim().split("\\s+");
    }

    static Topology topology(final String input, final String output) {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(words(line)))
                .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
                .count(Materialized.as(STORE))
                .toStream()
                .to(output, Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    static Properties config(final String bootstrap, final String applicationId, final String stateDir) {
        final Properties config = new Properties();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        // a killed member leaves the group after its session timeout: keep it short (the broker's minimum is lowered)
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 3_000);
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 500);
        // a killed run's open transaction under a transactional.id nobody uses again is aborted by its timeout
        config.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 5_000);
        config.put(StreamsConfig.RETRY_BACKOFF_MS_CONFIG, 200);
        config.put(StreamsConfig.producerPrefix(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG), 500);
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG), 500);
        return config;
    }

    public static void main(final String[] args) throws InterruptedException {
        final KafkaStreams streams = new KafkaStreams(topology(args[3], args[4]), config(args[0], args[1], args[2]));
        final CountDownLatch stopped = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            System.out.println("STATE " + now);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                stopped.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            e.printStackTrace();
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .SHUTDOWN_CLIENT;
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(10))));
        streams.start();
        stopped.await(MAX_LIFETIME.toMillis(), TimeUnit.MILLISECONDS);
        streams.close(Duration.ofSeconds(10));
        System.exit(streams.state() == KafkaStreams.State.NOT_RUNNING ? 0 : 1);
    }
}
