package io.piste.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A producer thread that sends numbered records at a bounded rate, round-robin over the partitions of a topic,
 * and remembers which were acknowledged. Record key: the producer's name (or the value without padding, see
 * {@link #uniqueKeys()}); value: {@code name:partition:seq},
 * {@code seq} counting from 0 per partition, so that a reader can tell order, gaps and duplicates apart, then
 * optionally {@code :} and padding, so that logs grow fast enough to roll segments.
 */
public final class LoadProducer implements AutoCloseable {
    private static final int MAX_ERRORS_KEPT = 20;

    private final String name;
    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final int partitions;
    private final int recordsPerSecond;
    private final Semaphore inFlight;
    private final Map<Integer, NavigableSet<Long>> acked = new ConcurrentHashMap<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final AtomicLong errorCount = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private String padding = "";
    private boolean uniqueKeys;

    public LoadProducer(
            final String name,
            final KafkaProducer<String, String> producer,
            final String topic,
            final int partitions,
            final int recordsPerSecond,
            final int maxInFlight) {
        this.name = name;
        this.producer = producer;
        this.topic = topic;
        this.partitions = partitions;
        this.recordsPerSecond = recordsPerSecond;
        this.inFlight = new Semaphore(maxInFlight);
        for (int p = 0; p < partitions; p++) {
            acked.put(p, new ConcurrentSkipListSet<>());
        }
        this.thread = new Thread(this::sendLoop, "load-" + name);
        this.thread.setDaemon(true);
    }

    /** Pads every value with {@code bytes} characters; call before {@link #start()}. */
    public LoadProducer padding(final int bytes) {
        padding = bytes == 0 ? "" : ":" + "x".repeat(bytes);
        return this;
    }

    /**
     * Keys every record with {@code name:partition:seq} instead of the producer's name, so that a reader can count
     * each record by its key; call before {@link #start()}.
     */
    public LoadProducer uniqueKeys() {
        uniqueKeys = true;
        return this;
    }

    public LoadProducer start() {
        thread.start();
        return this;
    }

    public String name() {
        return name;
    }

    /** Acknowledged sequence numbers of one partition. */
    public NavigableSet<Long> acked(final int partition) {
        return acked.get(partition);
    }

    public long ackedCount() {
        long count = 0;
        for (final NavigableSet<Long> seqs : acked.values()) {
            count += seqs.size();
        }
        return count;
    }

    public long sentCount() {
        return sent.get();
    }

    public long errorCount() {
        return errorCount.get();
    }

    /** The first errors the send callbacks reported. */
    public List<Throwable> errors() {
        return new ArrayList<>(errors);
    }

    /** Stops sending; records in flight may still complete. */
    public void stopSending() {
        running = false;
        joinSender();
    }

    private void joinSender() {
        try {
            // send() blocks up to max.block.ms while the producer has no metadata for the topic.
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new AssertionError(thread.getName() + " did not stop within 30 s");
        }
    }

    /** Stops sending and waits up to {@code timeout} for every record in flight to complete. */
    public void stopAndFlush(final Duration timeout) {
        stopSending();
        Bounded.run("flush " + name, timeout, producer::flush);
    }

    /** Stops sending and closes the producer at once, abandoning records in flight. */
    public void abandon() {
        running = false;
        // Closing first wakes a send() that waits for metadata from a dead broker.
        producer.close(Duration.ZERO);
        joinSender();
    }

    @Override
    public void close() {
        running = false;
        producer.close(Duration.ofSeconds(5));
    }

    /** Parses a value this class wrote: {name, partition, seq, padding if any}. */
    public static String[] parse(final ConsumerRecord<String, String> record) {
        final String[] parts = record.value().split(":", 4);
        if (parts.length < 3) {
            throw new AssertionError("not a LoadProducer value at " + record.topic() + "-" + record.partition() + "@"
                    + record.offset() + ": " + record.value());
        }
        return parts;
    }

    private void sendLoop() {
        final long[] nextSeq = new long[partitions];
        final long startNs = System.nanoTime();
        long count = 0;
        while (running) {
            final long due = (System.nanoTime() - startNs) * recordsPerSecond / 1_000_000_000L;
            if (count >= due) {
                sleepQuietly();
                continue;
            }
            try {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (final InterruptedException e) {
                return;
            }
            final int partition = (int) (count % partitions);
            final long seq = nextSeq[partition]++;
            count++;
            send(partition, seq);
        }
    }

    private void send(final int partition, final long seq) {
        try {
            final String id = name + ":" + partition + ":" + seq;
            producer.send(
                    new ProducerRecord<>(topic, partition, uniqueKeys ? id : name, id + padding),
                    (metadata, exception) -> {
                        inFlight.release();
                        if (exception == null) {
                            acked.get(partition).add(seq);
                        } else {
                            recordError(exception);
                        }
                    });
            sent.incrementAndGet();
        } catch (final RuntimeException e) {
            inFlight.release();
            recordError(e);
        }
    }

    private void recordError(final Throwable error) {
        if (errorCount.incrementAndGet() <= MAX_ERRORS_KEPT) {
            errors.add(error);
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
