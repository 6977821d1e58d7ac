package io.piste.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command left running while a test works (a kcat group member, say), with stdout and stderr going to files under
 * {@code target/it-data/exec/} that the test reads as they grow. {@link #close()} stops it: SIGTERM first, so that a
 * client can commit and leave its group, then SIGKILL after a grace period. Use it in try-with-resources, so that no
 * process outlives its test.
 */
public final class BackgroundProcess implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(15);

    private final List<String> command;
    private final Process process;
    private final Path out;
    private final Path err;

    private BackgroundProcess(final List<String> command, final Process process, final Path out, final Path err) {
        this.command = command;
        this.process = process;
        this.out = out;
        this.err = err;
    }

    public static BackgroundProcess start(final List<String> command) {
        final Path dir = TestDirs.target().resolve("it-data").resolve("exec");
        try {
            Files.createDirectories(dir);
            final Path out = Files.createTempFile(dir, "bg-stdout-", ".txt");
            final Path err = Files.createTempFile(dir, "bg-stderr-", ".txt");
            final Process process = new ProcessBuilder(command)
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            return new BackgroundProcess(List.copyOf(command), process, out, err);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    public String stdout() {
        return read(out);
    }

    public String stderr() {
        return read(err);
    }

    /** The non-empty lines written to stdout so far (a last line without its newline yet is left out). */
    public List<String> stdoutLines() {
        final String text = stdout();
        final int end = text.lastIndexOf('\n');
        final List<String> lines = new ArrayList<>();
        if (end < 0) {
            return lines;
        }
        for (final String line : text.substring(0, end).split("\n")) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Sends SIGTERM and waits for the process to exit, up to a grace period, then kills it.
     *
     * @return the exit code, or -1 if it had to be killed
     */
    public int stop() {
        if (!process.isAlive()) {
            return process.exitValue();
        }
        process.destroy();
        try {
            if (process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return -1;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    /** SIGKILL, no grace: the process gets no chance to close anything (a crash, as far as its peers can tell). */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("still alive 10 s after SIGKILL: " + command);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return String.join(" ", command) + "\n--- stdout ---\n" + stdout() + "\n--- stderr ---\n" + stderr();
    }

    private static String read(final Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
