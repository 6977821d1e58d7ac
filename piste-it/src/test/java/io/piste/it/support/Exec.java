package io.piste.it.support;

import java.io.File;
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
 * Runs a command to completion with a deadline; stdin comes from a string, stdout and stderr go to files under
 * {@code target/it-data/exec/} (no pipes, so a chatty process cannot block on a full pipe).
 */
public final class Exec {
    private Exec() {}

    /** What a finished command left. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("exit code " + exitCode + " from " + this);
            }
            return this;
        }

        public List<String> stdoutLines() {
            final List<String> lines = new ArrayList<>();
            for (final String line : stdout.split("\n")) {
                if (!line.isEmpty()) {
                    lines.add(line);
                }
            }
            return lines;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + "\n--- exit " + exitCode + ", stdout ---\n" + stdout
                    + "\n--- stderr ---\n" + stderr;
        }
    }

    public static Result run(final List<String> command, final String stdin, final Duration timeout) {
        final Path dir = TestDirs.target().resolve("it-data").resolve("exec");
        try {
            Files.createDirectories(dir);
            final Path in = Files.createTempFile(dir, "stdin-", ".txt");
            final Path out = Files.createTempFile(dir, "stdout-", ".txt");
            final Path err = Files.createTempFile(dir, "stderr-", ".txt");
            Files.writeString(in, stdin == null ? "" : stdin, StandardCharsets.UTF_8);
            final Process process = new ProcessBuilder(command)
                    .redirectInput(in.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            final boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(
                        "did not finish within " + timeout + ": " + new Result(command, -1, read(out), read(err)));
            }
            final Result result = new Result(command, process.exitValue(), read(out), read(err));
            for (final Path p : List.of(in, out, err)) {
                Files.deleteIfExists(p);
            }
            return result;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    /** A Java main class in a child JVM on the test classpath. */
    public static Result java(
            final String mainClass, final List<String> args, final String stdin, final Duration timeout) {
        return run(javaCommand(mainClass, args), stdin, timeout);
    }

    /** The command line that runs a Java main class in a child JVM on the test classpath. */
    public static List<String> javaCommand(final String mainClass, final List<String> args) {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** The first directory of {@code PATH} holding an executable {@code name}, or null. */
    public static Path onPath(final String name) {
        final String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator)) {
            final Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String read(final Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
