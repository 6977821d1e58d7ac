package io.piste.bench.fsync;

import io.piste.storage.log.Syncfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * One run comparing the group commit's candidates: N files each get {@code --bytes} per round, then all are made
 * durable by (a) one fsync per file in turn (the flusher before issue 18), (b) fsyncs over a pool of 4 and of 16
 * threads, (c) one syncfs(2) on the directory, (d) a shared write-ahead file: the same bytes appended to one file
 * then one fsync (the N files are written too, not synced, as segments would be). Strategies alternate within
 * each round, each on its own files, so a slow spell of the shared disk hits them all. With {@code --noise-mb} a
 * thread rewrites a file of that size on the same file system throughout (never synced): syncfs flushes it too.
 *
 * <p>Usage: {@code GroupCommitStrategies [--dir /tmp/x] [--files 6,200,2000] [--bytes 8192] [--noise-mb 256]
 * [--noise-files 6,200] [--max-seconds 900]}. Prints a Markdown table: median and p99 per round (ms), ratio of
 * the median to (a).
 */
public final class GroupCommitStrategies {

    private GroupCommitStrategies() {}

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Files.createDirectories(o.dir);
        System.out.println(
                "syncfs: " + (Syncfs.unavailableReason() == null ? "available" : Syncfs.unavailableReason()));
        long deadline = System.nanoTime() + o.maxSeconds * 1_000_000_000L;
        System.out.println(
                "| files | unrelated writer | strategy | rounds | median ms | p99 ms | median / sequential |");
        System.out.println("|---:|---|---|---:|---:|---:|---:|");
        for (int n : o.files) {
            runCase(o, n, 0, deadline);
        }
        for (int n : o.noiseFiles) {
            runCase(o, n, o.noiseMb, deadline);
        }
    }

    private static void runCase(Options o, int n, int noiseMb, long deadline) throws Exception {
        int rounds = Math.max(10, Math.min(200, 24_000 / n));
        Path caseDir = Files.createTempDirectory(o.dir, "gc-" + n + "-");
        ExecutorService pool4 = Executors.newFixedThreadPool(4);
        ExecutorService pool16 = Executors.newFixedThreadPool(16);
        List<Strategy> strategies = List.of(
                new Strategy("sequential fsync", caseDir, n, Strategy::sequential),
                new Strategy("4 threads fsync", caseDir, n, s -> s.pool(pool4)),
                new Strategy("16 threads fsync", caseDir, n, s -> s.pool(pool16)),
                new Strategy("one syncfs", caseDir, n, Strategy::syncfs),
                new Strategy("write-ahead file", caseDir, n, Strategy::writeAhead));
        NoiseWriter noise = noiseMb > 0 ? NoiseWriter.start(caseDir.resolve("unrelated"), noiseMb) : null;
        ByteBuffer block = ByteBuffer.allocateDirect(o.bytes);
        try {
            int warmUp = 2;
            int done = 0;
            for (int r = 0; r < rounds + warmUp && System.nanoTime() < deadline; r++) {
                for (int i = 0; i < strategies.size(); i++) {
                    // rotate the order so that no strategy always follows the same one
                    Strategy s = strategies.get((i + r) % strategies.size());
                    long ns = s.round(block);
                    if (r >= warmUp) {
                        s.samplesNs.add(ns);
                    }
                }
                done = r + 1 - warmUp;
            }
            double base = median(strategies.get(0).samplesNs);
            for (Strategy s : strategies) {
                double med = median(s.samplesNs);
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %s | %s | %d | %.2f | %.2f | %.2f |%n",
                        n,
                        noiseMb > 0 ? "~" + noiseMb + " MB rewritten" : "none",
                        s.name,
                        Math.max(0, done),
                        med / 1e6,
                        percentile(s.samplesNs, 0.99) / 1e6,
                        med / base);
            }
        } finally {
            if (noise != null) {
                noise.stop();
            }
            pool4.shutdownNow();
            pool16.shutdownNow();
            for (Strategy s : strategies) {
                s.close();
            }
            deleteTree(caseDir);
        }
    }

    private static double median(List<Long> ns) {
        return percentile(ns, 0.5);
    }

    private static double percentile(List<Long> ns, double p) {
        if (ns.isEmpty()) {
            return Double.NaN;
        }
        long[] sorted = ns.stream().mapToLong(Long::longValue).sorted().toArray();
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** One candidate on its own directory of N files. */
    private static final class Strategy implements AutoCloseable {
        interface Sync {
            void run(Strategy s) throws Exception;
        }

        final String name;
        final Path dir;
        final FileChannel[] channels;
        final long[] positions;
        final FileChannel wal;
        final Sync sync;
        final List<Long> samplesNs = new ArrayList<>();
        long walPosition;
        ByteBuffer block;
        Syncfs syncfs;

        Strategy(String name, Path caseDir, int n, Sync sync) throws IOException {
            this.name = name;
            this.dir = Files.createDirectory(caseDir.resolve(name.replace(' ', '-')));
            this.channels = new FileChannel[n];
            this.positions = new long[n];
            for (int i = 0; i < n; i++) {
                channels[i] = FileChannel.open(
                        dir.resolve(String.format(Locale.ROOT, "%020d.log", i)),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            }
            this.wal = FileChannel.open(
                    dir.resolve("wal"), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            this.sync = sync;
        }

        /** Writes the block to every file, then makes them durable; returns the nanoseconds of both. */
        long round(ByteBuffer block) throws Exception {
            this.block = block;
            long start = System.nanoTime();
            for (int i = 0; i < channels.length; i++) {
                positions[i] += write(channels[i], block, positions[i]);
            }
            sync.run(this);
            return System.nanoTime() - start;
        }

        void sequential() throws IOException {
            for (FileChannel ch : channels) {
                ch.force(false);
            }
        }

        void pool(ExecutorService pool) throws Exception {
            List<Future<?>> futures = new ArrayList<>(channels.length);
            for (FileChannel ch : channels) {
                futures.add(pool.submit(() -> {
                    ch.force(false);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }

        void syncfs() throws IOException {
            if (syncfs == null) {
                syncfs = Syncfs.open(dir); // once, as the broker keeps one per log dir
            }
            syncfs.sync();
        }

        void writeAhead() throws IOException {
            for (int i = 0; i < channels.length; i++) {
                walPosition += write(wal, block, walPosition);
            }
            wal.force(false);
        }

        private static int write(FileChannel ch, ByteBuffer block, long position) throws IOException {
            ByteBuffer b = block.duplicate();
            int n = 0;
            while (b.hasRemaining()) {
                n += ch.write(b, position + n);
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            for (FileChannel ch : channels) {
                ch.close();
            }
            wal.close();
            if (syncfs != null) {
                syncfs.close();
            }
        }
    }

    /** Rewrites a file of the given size in 1 MiB writes, never synced, until stopped. */
    private static final class NoiseWriter {
        private final Thread thread;
        private volatile boolean running = true;

        private NoiseWriter(Path file, int mb) {
            this.thread = new Thread(() -> run(file, mb), "unrelated-writer");
            this.thread.setDaemon(true);
        }

        static NoiseWriter start(Path file, int mb) throws InterruptedException {
            NoiseWriter w = new NoiseWriter(file, mb);
            w.thread.start();
            Thread.sleep(2_000); // let it dirty the page cache before the first round
            return w;
        }

        private void run(Path file, int mb) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                long pos = 0;
                while (running) {
                    ByteBuffer b = chunk.duplicate();
                    while (b.hasRemaining()) {
                        pos += ch.write(b, pos);
                    }
                    if (pos >= (long) mb << 20) {
                        pos = 0;
                    }
                }
            } catch (IOException e) {
                System.err.println("unrelated writer stopped: " + e);
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    private record Options(Path dir, int[] files, int bytes, int noiseMb, int[] noiseFiles, long maxSeconds) {
        static Options parse(String[] args) {
            Path dir = Path.of("/tmp/piste-group-commit");
            int[] files = {6, 200, 2000};
            int bytes = 8192;
            int noiseMb = 256;
            int[] noiseFiles = {6, 200};
            long maxSeconds = 900;
            for (int i = 0; i + 1 < args.length; i += 2) {
                String v = args[i + 1];
                switch (args[i]) {
                    case "--dir" -> dir = Path.of(v);
                    case "--files" -> files = ints(v);
                    case "--bytes" -> bytes = Integer.parseInt(v);
                    case "--noise-mb" -> noiseMb = Integer.parseInt(v);
                    case "--noise-files" -> noiseFiles = ints(v);
                    case "--max-seconds" -> maxSeconds = Long.parseLong(v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(dir, files, bytes, noiseMb, noiseFiles, maxSeconds);
        }

        private static int[] ints(String csv) {
            return csv.isBlank()
                    ? new int[0]
                    : Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
        }
    }
}
