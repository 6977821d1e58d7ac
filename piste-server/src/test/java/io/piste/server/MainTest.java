package io.piste.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code piste server} keeps its start-up: in a child JVM, {@code server --help} runs the server's path and loads
 * no client command nor kafka-clients' Admin, Producer or Consumer (which the AppCDS training would archive).
 */
class MainTest {

    @Test
    void shouldLoadNoClientCommandOnTheServerPath(@TempDir Path dir) throws Exception {
        List<String> loaded = classesLoadedBy(dir, "server", "--help");
        assertThat(loaded).anyMatch(c -> c.startsWith("io.piste.server.Main"));
        assertThat(loaded).noneMatch(c -> c.startsWith("io.piste.server.cli."));
        assertThat(loaded).noneMatch(c -> c.startsWith("org.apache.kafka.clients.admin."));
        assertThat(loaded).noneMatch(c -> c.startsWith("org.apache.kafka.clients.producer."));
        assertThat(loaded).noneMatch(c -> c.startsWith("org.apache.kafka.clients.consumer."));

        // The same JVM set-up does load them for a client command, so the check above can fail.
        assertThat(classesLoadedBy(dir, "topic", "--help")).anyMatch(c -> c.startsWith("io.piste.server.cli."));
    }

    @Test
    void shouldRefuseAConfigItCannotRunWithOneLineAndExitCodeOne(@TempDir Path dir) throws Exception {
        Process process = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "server",
                        "--override",
                        "node.id=1",
                        "--override",
                        "process.roles=broker",
                        "--override",
                        "controller.quorum.voters=1@127.0.0.1:9192,2@127.0.0.1:9193",
                        "--override",
                        "log.dirs=" + dir.resolve("logs"),
                        "--override",
                        "metrics.http.listener=")
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("piste server did not stop within 60 s");
        }
        assertThat(process.exitValue()).isEqualTo(1);
        List<String> errors = Files.readAllLines(dir.resolve("stderr.txt"), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank())
                .toList();
        assertThat(errors)
                .containsExactly("Piste broker cannot start: Invalid value 1@127.0.0.1:9192,2@127.0.0.1:9193 for "
                        + "configuration controller.quorum.voters: node.id 1 is one of the voters, but "
                        + "process.roles=broker: a broker-only node is not a voter");
    }

    private static List<String> classesLoadedBy(Path dir, String... args) throws IOException, InterruptedException {
        Path out = dir.resolve("classes-" + args[0] + ".txt");
        List<String> command = new java.util.ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xshare:off",
                "-Xlog:class+load=info:file=" + out,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("piste " + String.join(" ", args) + " did not finish within 60 s");
        }
        assertThat(process.exitValue()).isZero();
        List<String> classes = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            // "[0.012s][info][class,load] java.lang.Object source: ..."
            int start = line.indexOf("] ", line.indexOf("class,load"));
            if (start > 0) {
                int end = line.indexOf(' ', start + 2);
                classes.add(line.substring(start + 2, end < 0 ? line.length() : end));
            }
        }
        return classes;
    }
}
