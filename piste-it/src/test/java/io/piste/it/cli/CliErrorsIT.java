package io.piste.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.PisteCli;
import io.piste.it.support.TestDirs;
import io.piste.server.Main;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * What {@code piste} says when there is no broker or a broker that never answers (one line, exit 1, within the
 * bound), and that every command has {@code --help} and the completion script knows them. No broker needed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliErrorsIT {
    private static final List<List<String>> CLIENT_COMMANDS = List.of(
            List.of("topic", "list"),
            List.of("topic", "describe", "t"),
            List.of("produce", "t", "--file", "/dev/null"),
            List.of("consume", "t", "-n", "1"),
            List.of("group", "list"),
            List.of("group", "describe", "g"),
            List.of("config", "get", "--topic", "t"),
            List.of("cluster", "info"));

    @Test
    void shouldSayInOneLineThatNoBrokerListens() throws Exception {
        final int port = closedPort();
        for (final List<String> command : CLIENT_COMMANDS) {
            final List<String> args = new ArrayList<>(command);
            args.addAll(List.of("--bootstrap-server", "127.0.0.1:" + port));
            final PisteCli.Result result = PisteCli.exec(args);
            assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
            assertThat(result.stdout()).as(result.toString()).isEmpty();
            assertThat(result.stderr())
                    .as(result.toString())
                    .isEqualTo("Error: cannot reach 127.0.0.1:" + port
                            + ": connection refused (is a broker running there? --bootstrap-server to change)\n");
            // A refused connection is known at once: no wait for the 10 s API timeout.
            assertThat(result.took()).as(result.toString()).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldGiveUpOnABrokerThatNeverAnswersWithinTheTimeout() throws Exception {
        // A listening socket nobody accepts from: connections succeed (backlog), requests are never answered.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final String address = "127.0.0.1:" + silent.getLocalPort();
            for (final List<String> command : CLIENT_COMMANDS) {
                final List<String> args = new ArrayList<>(command);
                args.addAll(List.of("--bootstrap-server", address, "--api-timeout-ms", "1500"));
                final PisteCli.Result result = PisteCli.exec(args);
                assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
                assertThat(result.stdout()).as(result.toString()).isEmpty();
                assertThat(result.stderrLines()).as(result.toString()).hasSize(1);
                assertThat(result.stderr())
                        .as(result.toString())
                        .startsWith("Error: the cluster at " + address
                                + " did not answer within 1500 ms (--api-timeout-ms to wait longer): ");
                // The API timeout plus the clients' start and close, never the default minute-long waits.
                assertThat(result.took()).as(result.toString()).isLessThan(Duration.ofMillis(1500 + 5000));
            }
        }
    }

    @Test
    void shouldReadTheCommandConfigFile() throws Exception {
        final Path config = TestDirs.create("CliErrorsIT").resolve("client.properties");
        Files.writeString(config, "security.protocol=NO_SUCH_PROTOCOL\n");
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final String address = "127.0.0.1:" + listening.getLocalPort();
            final PisteCli.Result bad = PisteCli.exec(
                    List.of("topic", "list", "--bootstrap-server", address, "--command-config", config.toString()));
            assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(1);
            assertThat(bad.stderrLines()).as(bad.toString()).hasSize(1);
            assertThat(bad.stderr()).as(bad.toString()).contains("NO_SUCH_PROTOCOL");

            final String missing = config.resolveSibling("missing.properties").toString();
            final PisteCli.Result absent =
                    PisteCli.exec(List.of("topic", "list", "--bootstrap-server", address, "--command-config", missing));
            assertThat(absent.exitCode()).isEqualTo(1);
            assertThat(absent.stderr()).isEqualTo("Error: --command-config: no such file " + missing + "\n");
        }
    }

    @Test
    void shouldPrintAStackTraceOnlyWhenVerbose() throws Exception {
        final int port = closedPort();
        final PisteCli.Result verbose =
                PisteCli.exec(List.of("topic", "list", "--bootstrap-server", "127.0.0.1:" + port, "--verbose"));
        assertThat(verbose.exitCode()).isEqualTo(1);
        assertThat(verbose.stderrLines().get(0)).startsWith("Error: cannot reach 127.0.0.1:" + port);
        assertThat(verbose.stderr()).contains("\tat io.piste.server.cli.");
    }

    @Test
    void shouldHaveHelpOnEveryCommand() {
        final List<String> paths = new ArrayList<>();
        collect(Main.commandLine(), "", paths);
        assertThat(paths)
                .contains(
                        "topic list",
                        "topic describe",
                        "topic create",
                        "topic alter",
                        "topic delete",
                        "produce",
                        "consume",
                        "group list",
                        "group describe",
                        "group reset",
                        "group delete",
                        "config get",
                        "config set",
                        "cluster info",
                        "completion",
                        "server");
        for (final String path : paths) {
            final List<String> args = new ArrayList<>(List.of(path.split(" ")));
            args.add("--help");
            final PisteCli.Result help = PisteCli.exec(args);
            assertThat(help.exitCode()).as(help.toString()).isZero();
            assertThat(help.stdout()).as(help.toString()).startsWith("Usage: piste " + path + " ");
        }
        final PisteCli.Result top = PisteCli.exec(List.of("--help"));
        assertThat(top.stdout()).contains("topic", "produce", "consume", "group", "config", "cluster", "completion");
    }

    @Test
    void shouldPrintABashCompletionScriptOfEveryCommand() {
        final PisteCli.Result completion = PisteCli.exec(List.of("completion")).assertSuccess();
        assertThat(completion.stdout())
                .contains(
                        "complete -F _complete_piste",
                        "function _picocli_piste_topic_create()",
                        "function _picocli_piste_group_reset()",
                        "--bootstrap-server",
                        "--from-beginning");
    }

    private static void collect(final CommandLine command, final String prefix, final List<String> paths) {
        for (final var sub : command.getSubcommands().entrySet()) {
            final String path = (prefix.isEmpty() ? "" : prefix + " ") + sub.getKey();
            if (sub.getValue().getSubcommands().isEmpty()) {
                paths.add(path);
            } else {
                collect(sub.getValue(), path, paths);
            }
        }
    }

    /** A loopback port nothing listens on (bound then closed). */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
