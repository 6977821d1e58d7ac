package io.piste.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code controller.quorum.bootstrap.servers}: parsed as Kafka writes it, and the voters, ids and addresses, learnt
 * from whichever listed controller answers, past one that is down, and once the controllers come up after the broker.
 */
class QuorumBootstrapTest {

    @TempDir
    Path root;

    @Test
    void shouldParseKafkasBootstrapServers() {
        assertThat(QuorumBootstrap.parse("localhost:9093, 127.0.0.1:9094,[::1]:9095"))
                .containsExactly(
                        new QuorumVoter(0, "localhost", 9093),
                        new QuorumVoter(1, "127.0.0.1", 9094),
                        new QuorumVoter(2, "::1", 9095));
        assertThatThrownBy(() -> QuorumBootstrap.parse(" ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> QuorumBootstrap.parse("localhost")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> QuorumBootstrap.parse("localhost:")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> QuorumBootstrap.parse("localhost:x")).hasMessageContaining("numeric port");
        assertThatThrownBy(() -> QuorumBootstrap.parse("a:9093,a:9093")).hasMessageContaining("twice");
        assertThatThrownBy(() -> QuorumBootstrap.parse("a:9093,")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> QuorumBootstrap.parse("1@a:9093")).hasMessageContaining("no valid host");
        StringBuilder many = new StringBuilder("h0:1");
        for (int i = 1; i <= QuorumBootstrap.MAX_SERVERS; i++) {
            many.append(",h").append(i).append(":1");
        }
        assertThatThrownBy(() -> QuorumBootstrap.parse(many.toString())).hasMessageContaining("at most");
    }

    @Test
    void shouldLearnTheVotersFromAnyListedControllerThatAnswers() throws Exception {
        try (QuorumNodes<MetadataQuorum> nodes =
                QuorumNodes.ofQuorums(3, root, 1000).startAll()) {
            nodes.awaitLeader();
            List<QuorumVoter> servers = new ArrayList<>();
            servers.add(new QuorumVoter(0, "127.0.0.1", closedPort())); // a controller that is down
            servers.add(new QuorumVoter(1, "127.0.0.1", nodes.voters().get(1).port()));

            assertThat(QuorumBootstrap.discoverVoters(servers, Duration.ofSeconds(2)))
                    .containsExactlyInAnyOrderElementsOf(nodes.voters());
        }
    }

    @Test
    void shouldWaitForControllersThatStartAfterTheBroker() throws Exception {
        QuorumNodes<MetadataQuorum> nodes = QuorumNodes.ofQuorums(3, root, 1000);
        try (nodes) {
            List<QuorumVoter> servers = List.of(
                    new QuorumVoter(0, "127.0.0.1", nodes.voters().get(0).port()));
            CompletableFuture<List<QuorumVoter>> found = CompletableFuture.supplyAsync(() -> {
                try {
                    return QuorumBootstrap.discoverVoters(servers, Duration.ofMillis(300));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(1000);
            assertThat(found).as("nothing listens yet").isNotDone();

            nodes.startAll();

            assertThat(found.get(30, TimeUnit.SECONDS)).containsExactlyInAnyOrderElementsOf(nodes.voters());
        }
    }

    @Test
    void shouldStopAskingWhenInterrupted() throws Exception {
        List<QuorumVoter> servers = List.of(new QuorumVoter(0, "127.0.0.1", closedPort()));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread asking = new Thread(() -> {
            try {
                QuorumBootstrap.discoverVoters(servers, Duration.ofMillis(200));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        asking.start();
        Thread.sleep(500);
        asking.interrupt();

        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
