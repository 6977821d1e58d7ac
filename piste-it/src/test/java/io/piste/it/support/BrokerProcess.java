package io.piste.it.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Piste broker in a child JVM ({@code io.piste.server.Main server --override ...}), for tests that kill it.
 *
 * <p>stdout and stderr of every run are appended to one file under {@code target/it-data/}, which failure
 * messages name. The first start binds an ephemeral port; {@link #restart()} binds the same port again so that
 * clients which are still running reconnect. Not thread-safe.
 */
public final class BrokerProcess implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern READY = Pattern.compile("ready on ([0-9.]+):(\\d+)");
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        // A test JVM that dies (failsafe's fork timeout, a crash) must not leave brokers running.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill broker processes"));
    }

    private final String name;
    private final Path logDir;
    private final Path output;
    private final Map<String, String> overrides;
    private Process process;
    private int port;
    private int starts;
    /** Where the output of a start not waited for yet begins, else -1. */
    private long pendingOutputStart = -1;

    private BrokerProcess(
            final String name, final Path logDir, final Path output, final Map<String, String> overrides) {
        this.name = name;
        this.logDir = logDir;
        this.output = output;
        this.overrides = new LinkedHashMap<>(overrides);
    }

    /**
     * Starts a broker process with {@code log.dirs=logDir}; output goes to {@code outputDir/<name>.out}.
     */
    public static BrokerProcess start(
            final String name, final Path logDir, final Path outputDir, final Map<String, String> overrides) {
        final BrokerProcess broker = new BrokerProcess(name, logDir, outputDir.resolve(name + ".out"), overrides);
        broker.launch();
        return broker;
    }

    /**
     * Starts a broker process and returns at once, for brokers that only become ready together (the nodes of a
     * cluster wait for a majority of the quorum); {@link #awaitStarted()} waits for it.
     */
    public static BrokerProcess launch(
            final String name, final Path logDir, final Path outputDir, final Map<String, String> overrides) {
        final BrokerProcess broker = new BrokerProcess(name, logDir, outputDir.resolve(name + ".out"), overrides);
        broker.pendingOutputStart = broker.startProcess();
        return broker;
    }

    /** Waits for a broker {@link #launch}ed or {@link #restartAsync()}ed to be ready. */
    public void awaitStarted() {
        if (pendingOutputStart < 0) {
            throw new IllegalStateException(name + " was not launched without waiting");
        }
        port = awaitReady(pendingOutputStart);
        pendingOutputStart = -1;
    }

    /** As {@link #restart()}, without waiting for the ready line ({@link #awaitStarted()}). */
    public void restartAsync() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        pendingOutputStart = startProcess();
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path logDir() {
        return logDir;
    }

    public Path outputFile() {
        return output;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no flush, no shutdown hook, no clean-shutdown marker. */
    public void kill9() {
        final Process killed = requireRunning();
        killed.destroyForcibly();
        waitForExit(killed, STOP_TIMEOUT, "SIGKILL");
        process = null;
    }

    /** SIGSTOP: the process keeps its state and sockets but runs nothing until {@link #resume()}. */
    public void pause() {
        signal("-STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        signal("-CONT");
    }

    private void signal(final String signal) {
        final Process target = requireRunning();
        try {
            final Process kill = new ProcessBuilder("kill", signal, Long.toString(target.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill " + signal + " " + target.pid() + " failed");
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while sending " + signal, e);
        }
    }

    /**
     * SIGTERM, the broker's clean shutdown; waits for the exit.
     *
     * @return the exit code
     */
    public int stop() {
        final Process stopping = requireRunning();
        stopping.destroy();
        final int exitCode = waitForExit(stopping, STOP_TIMEOUT, "SIGTERM");
        process = null;
        return exitCode;
    }

    /** Starts again on the same log dir and the same port. */
    public void restart() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        launch();
    }

    /**
     * Starts again on the same log dir for a broker that must refuse its data: waits for it to exit, and fails if it
     * becomes ready instead.
     *
     * @return the exit code
     */
    public int restartExpectingRefusal() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        final long outputStart = startProcess();
        final Process starting = process;
        final Bounded.Deadline deadline = Bounded.Deadline.in(START_TIMEOUT);
        while (!deadline.passed()) {
            if (READY.matcher(outputSince(outputStart)).find()) {
                throw new AssertionError(name + " started, where it should have refused its data\n" + outputTail(60));
            }
            if (!starting.isAlive()) {
                process = null;
                return starting.exitValue();
            }
            Bounded.sleep(Duration.ofMillis(50));
        }
        starting.destroyForcibly();
        throw new AssertionError(name + " neither started nor exited within " + START_TIMEOUT + "\n" + outputTail(60));
    }

    /** The output of every run so far, for assertions on log lines and for failure messages. */
    public String output() {
        try {
            return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of the output, for failure messages. */
    public String outputTail(final int lines) {
        final String[] all = output().split("\n");
        final int from = Math.max(0, all.length - lines);
        return "--- last " + (all.length - from) + " lines of " + output + " ---\n"
                + String.join("\n", Arrays.copyOfRange(all, from, all.length));
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            try {
                stop();
            } catch (final AssertionError e) {
                process.destroyForcibly();
                throw e;
            }
        }
        process = null;
    }

    private void launch() {
        port = awaitReady(startProcess());
    }

    /** Starts the child process; returns where its output begins in {@link #outputFile()}. */
    private long startProcess() {
        final long outputStart;
        try {
            Files.createDirectories(output.getParent());
            Files.writeString(
                    output,
                    "=== start " + (++starts) + " of " + name + " ===\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            outputStart = Files.size(output);
            final ProcessBuilder builder = new ProcessBuilder(command())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            process = builder.start();
            LIVE.removeIf(p -> !p.isAlive());
            LIVE.add(process);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        return outputStart;
    }

    private List<String> command() {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xms64m");
        command.add("-Xmx768m");
        command.add("-XX:+HeapDumpOnOutOfMemoryError");
        command.add("-XX:HeapDumpPath=" + output.getParent());
        final String leakLevel = System.getProperty("io.netty.leakDetection.level");
        if (leakLevel != null) {
            command.add("-Dio.netty.leakDetection.level=" + leakLevel);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.piste.server.Main");
        command.add("server");
        final Map<String, String> config = new LinkedHashMap<>();
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        config.put("log.dirs", logDir.toString());
        config.put("metrics.http.listener", "127.0.0.1:0");
        config.putAll(overrides);
        if (port != 0 && !overrides.containsKey("listeners")) {
            config.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        }
        config.forEach((key, value) -> {
            command.add("--override");
            command.add(key + "=" + value);
        });
        return command;
    }

    private int awaitReady(final long outputStart) {
        final Bounded.Deadline deadline = Bounded.Deadline.in(START_TIMEOUT);
        while (!deadline.passed()) {
            final Matcher ready = READY.matcher(outputSince(outputStart));
            if (ready.find()) {
                final int readyPort = Integer.parseInt(ready.group(2));
                if (port != 0 && readyPort != port) {
                    throw new AssertionError(name + " restarted on port " + readyPort + ", expected " + port);
                }
                return readyPort;
            }
            if (!process.isAlive()) {
                throw new AssertionError(
                        name + " exited with " + process.exitValue() + " before it was ready\n" + outputTail(60));
            }
            Bounded.sleep(Duration.ofMillis(50));
        }
        process.destroyForcibly();
        throw new AssertionError(name + " printed no 'ready on' line within " + START_TIMEOUT + "\n" + outputTail(60));
    }

    private String outputSince(final long position) {
        final String all = output();
        final byte[] bytes = all.getBytes(StandardCharsets.UTF_8);
        return position >= bytes.length
                ? ""
                : new String(bytes, (int) position, bytes.length - (int) position, StandardCharsets.UTF_8);
    }

    private int waitForExit(final Process exiting, final Duration timeout, final String signal) {
        try {
            if (!exiting.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                exiting.destroyForcibly();
                exiting.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(name + " (pid " + exiting.pid() + ") did not exit within " + timeout + " of "
                        + signal + "\n" + outputTail(60));
            }
            return exiting.exitValue();
        } catch (final InterruptedException e) {
            exiting.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name, e);
        }
    }

    private Process requireRunning() {
        if (process == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return process;
    }
}
