package io.piste.broker.interbroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.Broker;
import io.piste.broker.config.BrokerConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MarkerSenderTest {

    private static final int SILENT = 2;
    private static final int ANSWERING = 3;

    @TempDir
    Path dir;

    /**
     * A broker that accepts connections and never answers (paused, or cut off but not fenced yet) holds the markers
     * sent to it for up to the request timeout (30 s); those for another broker are sent and answered meanwhile.
     */
    @Test
    void shouldNotHoldMarkersForOneBrokerBehindABrokerThatDoesNotAnswer() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket();
                Broker answering = Broker.start(
                        new BrokerConfig(Map.of("listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", dir.toString())))) {
            silent.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Map<Integer, Node> nodes = Map.of(
                    SILENT, new Node(SILENT, "127.0.0.1", silent.getLocalPort()),
                    ANSWERING, new Node(ANSWERING, "127.0.0.1", answering.port()));
            CompletableFuture<Map<TopicPartition, Errors>> toSilent = new CompletableFuture<>();
            CompletableFuture<Map<TopicPartition, Errors>> toAnswering = new CompletableFuture<>();
            try (MarkerSender sender = new MarkerSender(1, "PLAINTEXT", nodes::get)) {
                sender.write(
                        SILENT,
                        7L,
                        (short) 0,
                        true,
                        (short) 2,
                        0,
                        Set.of(new TopicPartition("t", 0)),
                        toSilent::complete);
                sender.write(
                        ANSWERING,
                        7L,
                        (short) 0,
                        true,
                        (short) 2,
                        0,
                        Set.of(new TopicPartition("t", 1)),
                        toAnswering::complete);

                Map<TopicPartition, Errors> answered = toAnswering.get(10, TimeUnit.SECONDS);
                // The answering broker has no such partition: its own answer, not a network failure.
                assertThat(answered).containsEntry(new TopicPartition("t", 1), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                assertThat(toSilent).isNotDone();
            }
            assertThat(toSilent.get(10, TimeUnit.SECONDS))
                    .as("the send given up at close")
                    .containsEntry(new TopicPartition("t", 0), Errors.NETWORK_EXCEPTION);
        } finally {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }
}
