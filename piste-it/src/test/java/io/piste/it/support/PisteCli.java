package io.piste.it.support;

import io.piste.server.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * Runs {@code piste} client commands in process, through the same picocli command line as {@code bin/piste}
 * ({@link Main#commandLine()}), with stdout and stderr captured, each run bounded in time.
 */
public final class PisteCli {
    public static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrapServers;

    private PisteCli(final String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Commands that get {@code --bootstrap-server bootstrapServers} appended. */
    public static PisteCli against(final String bootstrapServers) {
        return new PisteCli(bootstrapServers);
    }

    /** What a command left: its exit code and everything it printed. */
    public record Result(List<String> args, int exitCode, String stdout, String stderr, Duration took) {
        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("exit code " + exitCode + " from " + this);
            }
            return this;
        }

        public List<String> stdoutLines() {
            return lines(stdout);
        }

        public List<String> stderrLines() {
            return lines(stderr);
        }

        private static List<String> lines(final String text) {
            final List<String> lines = new ArrayList<>();
            for (final String line : text.split("\n")) {
                if (!line.isEmpty()) {
                    lines.add(line);
                }
            }
            return lines;
        }

        @Override
        public String toString() {
            return "piste " + String.join(" ", args) + "\n--- exit " + exitCode + " after " + took.toMillis()
                    + " ms, stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    /** {@code piste <args> --bootstrap-server <broker>}. */
    public Result run(final String... args) {
        final List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--bootstrap-server");
        all.add(bootstrapServers);
        return exec(all);
    }

    /** {@code piste <args>} exactly as given. */
    public static Result exec(final List<String> args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final long startNs = System.nanoTime();
        final int exitCode = Bounded.call(
                "piste " + String.join(" ", args), RUN_TIMEOUT, () -> commandLine.execute(args.toArray(new String[0])));
        return new Result(
                List.copyOf(args),
                exitCode,
                out.toString(),
                err.toString(),
                Duration.ofNanos(System.nanoTime() - startNs));
    }

    /** The repository's root (bin/piste lives there): the parent of this module's directory. */
    public static Path repositoryRoot() {
        return TestDirs.target().getParent().getParent();
    }
}
