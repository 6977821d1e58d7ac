package io.piste.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller-only node ({@code process.roles=controller}) and a broker-only node ({@code process.roles=broker}) in
 * one JVM: the controller serves no clients and only the controller's metrics, the broker serves the real Admin.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PisteServerRolesTest {

    @TempDir
    Path dir;

    @Test
    void shouldServeClientsFromTheBrokerOnlyNodeOfAControllerOnlyQuorum() throws Exception {
        int quorumPort = freePort();
        String voters = "1@127.0.0.1:" + quorumPort;
        // Kafka's controller.properties: its only listener is the CONTROLLER one.
        Map<String, String> controllerConfig = Map.of(
                "node.id", "1",
                "process.roles", "controller",
                "controller.quorum.voters", voters,
                "listeners", "CONTROLLER://127.0.0.1:" + quorumPort,
                "controller.listener.names", "CONTROLLER",
                "listener.security.protocol.map", "CONTROLLER:PLAINTEXT",
                "log.dirs", dir.resolve("controller").toString(),
                "metrics.http.listener", "127.0.0.1:0");
        try (PisteServer controller = PisteServer.start(controllerConfig)) {
            assertThat(controller.isBroker()).isFalse();
            assertThat(controller.quorumAddress()).isEqualTo("127.0.0.1:" + quorumPort);
            assertThatThrownBy(controller::bootstrapServers).isInstanceOf(IllegalStateException.class);
            Map<String, String> brokerConfig = Map.of(
                    "node.id", "2",
                    "process.roles", "broker",
                    "controller.quorum.voters", voters,
                    "log.dirs", dir.resolve("broker").toString(),
                    "listeners", "PLAINTEXT://127.0.0.1:0",
                    "metrics.http.listener", "127.0.0.1:0");
            try (PisteServer broker = PisteServer.start(brokerConfig);
                    Admin admin = Admin.create(
                            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                assertThat(broker.isBroker()).isTrue();
                assertThat(broker.clusterId()).isEqualTo(controller.clusterId());
                admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
                        .extracting(Node::id)
                        .containsExactly(2);
                QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS);
                assertThat(quorum.leaderId()).isEqualTo(1);
                assertThat(quorum.voters())
                        .extracting(QuorumInfo.ReplicaState::replicaId)
                        .containsExactly(1);
                assertThat(quorum.observers())
                        .extracting(QuorumInfo.ReplicaState::replicaId)
                        .containsExactly(2);

                String metrics = get(controller.metricsPort(), "/metrics");
                assertThat(metrics)
                        .contains("kafka_controller_kafkacontroller_activecontrollercount 1.0")
                        .contains("kafka_controller_kafkacontroller_activebrokercount 1.0")
                        .doesNotContain("kafka_server_replicamanager_partitioncount");
                assertThat(get(broker.metricsPort(), "/metrics"))
                        .contains("kafka_controller_kafkacontroller_activecontrollercount 0.0");
                // The same gauges over JMX, under Kafka's names (the controller registered them first here).
                Object active = ManagementFactory.getPlatformMBeanServer()
                        .getAttribute(
                                new ObjectName("kafka.controller:type=KafkaController,name=ActiveControllerCount"),
                                "Value");
                assertThat(((Number) active).longValue()).isEqualTo(1);
            }
        }
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
