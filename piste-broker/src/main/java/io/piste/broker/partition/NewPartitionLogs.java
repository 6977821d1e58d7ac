package io.piste.broker.partition;

import io.piste.storage.log.FileChannelFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Creates the logs of partitions born together (a new topic, or partitions added to one) side by side, and makes
 * them durable together ({@link CreationSync}). Each creation alone waits on several fsyncs (its log dir's entry,
 * {@code partition.metadata}, that file's entry), so one after another a 2,000-partition topic took ~40 s to create
 * where Kafka takes 5 to 16 s; side by side, like the group commit's {@link FsyncPool}, the device serves the queued
 * syncs together, and with one file system sync per log dir a batch needs none of them.
 */
final class NewPartitionLogs {
    static final int THREADS = FsyncPool.THREADS;

    /**
     * Opens (creating) partition {@code index} in {@code logDir}, its files through {@code files}. Called from several
     * threads at once.
     */
    @FunctionalInterface
    interface Opener {
        Partition open(int index, Path logDir, FileChannelFactory files) throws IOException;
    }

    private NewPartitionLogs() {}

    /**
     * Kafka's rule, partition by partition: each new partition goes to the log dir holding the fewest, counting those
     * assigned before it in this call. {@code held} is what each log dir holds already.
     */
    static List<Path> assignLogDirs(List<Path> logDirs, Map<Path, Integer> held, int count) {
        Map<Path, Integer> counts = new HashMap<>();
        logDirs.forEach(dir -> counts.put(dir, held.getOrDefault(dir, 0)));
        List<Path> assigned = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Path best = logDirs.get(0);
            for (Path dir : logDirs) {
                if (counts.get(dir) < counts.get(best)) {
                    best = dir;
                }
            }
            counts.merge(best, 1, Integer::sum);
            assigned.add(best);
        }
        return assigned;
    }

    /** The log dir a single new partition goes to: the one holding the fewest. */
    static Path leastLoaded(List<Path> logDirs, Map<Path, Integer> held) {
        return assignLogDirs(logDirs, held, 1).get(0);
    }

    /**
     * Opens partitions {@code indexes.get(0)}, {@code indexes.get(1)}, ... in {@code logDirs.get(0)},
     * {@code logDirs.get(1)}, ... and returns them in that order, durable: several at once are synced together, one
     * file system sync per log dir where {@code flushMethod} allows ({@link CreationSync}), else each fsyncs its own
     * files through {@code files}. If any fails, or the sync does, the ones that opened are handed to {@code discard}
     * and the first failure is thrown.
     */
    static List<Partition> open(
            List<Integer> indexes,
            List<Path> logDirs,
            Opener opener,
            Consumer<Partition> discard,
            FileChannelFactory files,
            String flushMethod)
            throws IOException {
        int count = logDirs.size();
        if (count != indexes.size()) {
            throw new IllegalArgumentException(indexes.size() + " partitions for " + count + " log dirs");
        }
        if (count <= 1) {
            return count == 0 ? List.of() : List.of(opener.open(indexes.get(0), logDirs.get(0), files));
        }
        CreationSync batch = CreationSync.start(files, logDirs, flushMethod);
        FileChannelFactory used = batch != null ? batch : files;
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(THREADS, count), r -> {
            Thread t = new Thread(r, "piste-partition-create-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Partition>> results = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int index = indexes.get(i);
                Path dir = logDirs.get(i);
                results.add(pool.submit(() -> opener.open(index, dir, used)));
            }
            List<Partition> opened = collect(results, discard);
            if (batch != null) {
                try {
                    batch.sync();
                } catch (IOException e) {
                    opened.forEach(discard);
                    throw e;
                }
            }
            return opened;
        } finally {
            pool.shutdown();
            if (batch != null) {
                batch.close();
            }
        }
    }

    /** Waits for every creation (none is left running), then returns them all or throws the first failure. */
    private static List<Partition> collect(List<Future<Partition>> results, Consumer<Partition> discard)
            throws IOException {
        List<Partition> opened = new ArrayList<>(results.size());
        Throwable failure = null;
        boolean interrupted = false;
        for (Future<Partition> result : results) {
            while (true) {
                try {
                    opened.add(result.get());
                    break;
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // finish waiting: a creation left running would race the clean-up
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure == null) {
            return opened;
        }
        opened.forEach(discard);
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw new IOException("could not create a partition's log", failure);
    }
}
