package io.piste.server.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code piste produce TOPIC}: one record per input line, as kafka-console-producer. Sends are asynchronous; the
 * first failed send stops the reading, and the command fails after the records in flight are settled.
 */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Produce one record per line of stdin or a file; prints a summary (records, bytes, time).")
final class ProduceCommand extends ClientCommand {
    @Parameters(paramLabel = "TOPIC")
    String topic;

    @Option(
            names = {"-f", "--file"},
            paramLabel = "FILE",
            description = "Read lines from FILE instead of stdin.")
    Path file;

    @Option(
            names = {"-K", "--key-separator"},
            paramLabel = "SEP",
            description = "Each line is KEY SEP VALUE (kafka-console-producer's parse.key and key.separator).")
    String keySeparator;

    @Option(
            names = {"-H", "--header"},
            paramLabel = "KEY=VALUE",
            description = "A header on every record; repeatable.")
    List<String> headers = List.of();

    @Option(names = "--partition", paramLabel = "P", description = "Send every record to partition P.")
    Integer partition;

    @Option(names = "--acks", defaultValue = "all", description = "0, 1 or all (default: ${DEFAULT-VALUE}).")
    String acks;

    @Option(
            names = "--compression",
            defaultValue = "none",
            description = "none, gzip, snappy, lz4 or zstd (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--producer-property", paramLabel = "KEY=VALUE", description = "Any producer config; repeatable.")
    List<String> producerProperties = List.of();

    @Override
    protected int execute() throws Exception {
        List<Header> recordHeaders = new ArrayList<>();
        for (Map.Entry<String, String> h : KeyValues.parse(headers, "--header").entrySet()) {
            recordHeaders.add(new RecordHeader(h.getKey(), h.getValue().getBytes(StandardCharsets.UTF_8)));
        }
        Await.topic(admin().describeTopics(List.of(topic)).topicNameValues().get(topic), topic);
        Map<String, Object> config = client.producer();
        config.put(ProducerConfig.ACKS_CONFIG, acks);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.putAll(KeyValues.parse(producerProperties, "--producer-property"));
        long startNs = System.nanoTime();
        long[] counts = new long[2]; // records, bytes
        try (InputStream in = open();
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            Progress progress = Progress.start(err(), inputSize());
            AtomicReference<Exception> failure = new AtomicReference<>();
            try {
                sendLines(in, producer, recordHeaders, failure, progress, counts);
                producer.flush();
            } finally {
                progress.finish();
                producer.close(Duration.ofMillis(client.apiTimeoutMs()));
            }
            if (failure.get() != null) {
                throw failure.get();
            }
        }
        double seconds = (System.nanoTime() - startNs) / 1e9;
        out().println(String.format(
                Locale.ROOT,
                "Produced %d records (%s) to %s in %.2f s",
                counts[0],
                Progress.size(counts[1]),
                topic,
                seconds));
        return 0;
    }

    private void sendLines(
            InputStream in,
            KafkaProducer<byte[], byte[]> producer,
            List<Header> recordHeaders,
            AtomicReference<Exception> failure,
            Progress progress,
            long[] counts)
            throws IOException, CliException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        long lineNumber = 0;
        long inputBytes = 0;
        int separatorBytes = keySeparator == null ? 0 : keySeparator.getBytes(StandardCharsets.UTF_8).length;
        String line;
        while ((line = reader.readLine()) != null && failure.get() == null) {
            lineNumber++;
            byte[] key = null;
            String value = line;
            if (keySeparator != null) {
                int at = line.indexOf(keySeparator);
                if (at < 0) {
                    throw new CliException("line " + lineNumber + " has no key separator '" + keySeparator + "'");
                }
                key = line.substring(0, at).getBytes(StandardCharsets.UTF_8);
                value = line.substring(at + keySeparator.length());
            }
            byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
            ProducerRecord<byte[], byte[]> record =
                    new ProducerRecord<>(topic, partition, null, key, valueBytes, recordHeaders);
            long sentLine = lineNumber;
            producer.send(record, (metadata, e) -> {
                if (e != null) {
                    failure.compareAndSet(
                            null,
                            new CliException("record of line " + sentLine + " not produced: "
                                    + Failures.unwrap(e).getClass().getSimpleName() + ": " + e.getMessage()));
                }
            });
            counts[0]++;
            counts[1] += valueBytes.length + (key == null ? 0 : key.length);
            // The bar compares with the input's size, so count what each line took there: separators too.
            inputBytes += valueBytes.length + (key == null ? 0 : key.length + separatorBytes) + 1;
            progress.update(counts[0], inputBytes);
        }
    }

    private InputStream open() throws CliException, IOException {
        if (file == null) {
            return new NonClosingInputStream(System.in);
        }
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new CliException("no such file " + file);
        }
    }

    /** The size of the input if it is a regular file (a --file, or stdin redirected from one), else -1. */
    private long inputSize() {
        Path path = file != null ? file : Path.of("/dev/stdin");
        try {
            return Files.isRegularFile(path) ? Files.size(path) : -1;
        } catch (IOException | SecurityException e) {
            return -1;
        }
    }

    /** Stdin stays open for whatever runs after the command in the same JVM (tests). */
    private static final class NonClosingInputStream extends java.io.FilterInputStream {
        NonClosingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public void close() {}
    }
}
