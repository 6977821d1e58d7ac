package io.piste.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Exec;
import io.piste.it.support.PisteCli;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real {@code bin/piste} script as a child process on the jars this build made ({@code PISTE_BUILD=never}: a
 * test never starts a build): stdin to {@code produce}, {@code consume} back, and the clients' own logging kept
 * off stderr so that an error is one line.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PisteScriptIT {
    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void shouldProduceFromStdinAndConsumeThroughTheScript() {
        final String bootstrap = BROKER.bootstrapServers();
        piste("", "topic", "create", "script-topic", "--partitions", "1", "-b", bootstrap)
                .assertSuccess();

        final Exec.Result produced = piste(
                        "k1=alpha\nk2=beta\nk3=gamma\n", "produce", "script-topic", "-K", "=", "-b", bootstrap)
                .assertSuccess();
        assertThat(produced.stdout()).startsWith("Produced 3 records (");
        assertThat(produced.stderr()).isEmpty();

        final Exec.Result consumed = piste(
                        "", "consume", "script-topic", "--from-beginning", "-n", "3", "--print-key", "-b", bootstrap)
                .assertSuccess();
        assertThat(consumed.stdout()).isEqualTo("k1\talpha\nk2\tbeta\nk3\tgamma\n");
        assertThat(consumed.stderr()).isEqualTo("Processed a total of 3 messages\n");
    }

    @Test
    void shouldExitNonZeroWithOneLineWhenNoBrokerListens() throws Exception {
        final int port;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = socket.getLocalPort();
        }
        final Exec.Result result = piste("", "topic", "list", "-b", "127.0.0.1:" + port);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr())
                .isEqualTo("Error: cannot reach 127.0.0.1:" + port
                        + ": connection refused (is a broker running there? --bootstrap-server to change)\n");
    }

    private static Exec.Result piste(final String stdin, final String... args) {
        final List<String> command = new ArrayList<>();
        command.add("env");
        for (final Map.Entry<String, String> e : Map.of("PISTE_BUILD", "never").entrySet()) {
            command.add(e.getKey() + "=" + e.getValue());
        }
        command.add(PisteCli.repositoryRoot().resolve("bin").resolve("piste").toString());
        command.addAll(List.of(args));
        return Exec.run(command, stdin, RUN_TIMEOUT);
    }
}
