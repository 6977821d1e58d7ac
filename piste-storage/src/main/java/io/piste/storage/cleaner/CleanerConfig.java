package io.piste.storage.cleaner;

/**
 * The broker configs of the log cleaner, Kafka's names and defaults: {@code log.cleaner.enable} (true),
 * {@code log.cleaner.threads} (1), {@code log.cleaner.dedupe.buffer.size} (128 MiB over all threads),
 * {@code log.cleaner.io.buffer.size} (512 KiB over all threads, half to read, half to write),
 * {@code log.cleaner.io.buffer.load.factor} (0.9), {@code log.cleaner.io.max.bytes.per.second} (unlimited),
 * {@code log.cleaner.backoff.ms} (15 s).
 */
public record CleanerConfig(
        boolean enable,
        int threads,
        long dedupeBufferBytes,
        int ioBufferBytes,
        double dedupeBufferLoadFactor,
        double ioMaxBytesPerSecond,
        long backoffMs) {

    public static CleanerConfig defaults() {
        return new CleanerConfig(true, 1, 128L << 20, 512 << 10, 0.9, Double.MAX_VALUE, 15_000L);
    }

    /** Each thread's share of the dedupe buffer. */
    public long dedupeBufferBytesPerThread() {
        return dedupeBufferBytes / Math.max(1, threads);
    }

    /** Each thread's read buffer and write buffer, as Kafka: half the thread's share of the I/O buffer each. */
    public int ioBufferBytesPerThread() {
        return Math.max(4096, ioBufferBytes / Math.max(1, threads) / 2);
    }
}
