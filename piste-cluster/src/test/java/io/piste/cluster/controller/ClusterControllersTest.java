package io.piste.cluster.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.config.BrokerConfig;
import io.piste.cluster.quorum.QuorumVoter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which node a config makes (single node, broker and voter, broker only, controller only), and what it refuses. */
class ClusterControllersTest {
    private static final String VOTERS = "1@127.0.0.1:9192,2@127.0.0.1:9193,3@127.0.0.1:9194";

    @TempDir
    Path dir;

    private BrokerConfig config(int nodeId, String voters, String roles, String listeners) {
        return config(nodeId, voters, null, roles, listeners);
    }

    private BrokerConfig config(int nodeId, String voters, String bootstrap, String roles, String listeners) {
        Map<String, String> values = new HashMap<>();
        values.put("node.id", Integer.toString(nodeId));
        values.put("log.dirs", dir.toString());
        if (voters != null) {
            values.put("controller.quorum.voters", voters);
        }
        if (bootstrap != null) {
            values.put("controller.quorum.bootstrap.servers", bootstrap);
        }
        if (roles != null) {
            values.put("process.roles", roles);
        }
        if (listeners != null) {
            values.put("listeners", listeners);
            values.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            values.put("controller.listener.names", "CONTROLLER");
        }
        return new BrokerConfig(values);
    }

    @Test
    void shouldTellTheSingleNodeFromTheNodesOfACluster() {
        assertThat(ClusterControllers.isClusterNode(config(1, "1@127.0.0.1:9192", null, null)))
                .isFalse();
        assertThat(ClusterControllers.isClusterNode(config(1, "1@127.0.0.1:9192", "broker,controller", null)))
                .isFalse();
        // A controller alone is a quorum that brokers join, not a single node.
        assertThat(ClusterControllers.isClusterNode(config(1, "1@127.0.0.1:9192", "controller", null)))
                .isTrue();
        assertThat(ClusterControllers.isClusterNode(config(4, VOTERS, "broker", null)))
                .isTrue();
        assertThat(ClusterControllers.isClusterNode(config(2, VOTERS, null, null)))
                .isTrue();
        assertThat(ClusterControllers.isControllerOnly(config(1, VOTERS, " Controller ", null)))
                .isTrue();
        assertThat(ClusterControllers.isControllerOnly(config(1, VOTERS, "broker,controller", null)))
                .isFalse();
    }

    @Test
    void shouldRefuseRolesThatDoNotFitTheVoters() {
        assertThatThrownBy(() -> ClusterControllers.open(config(2, VOTERS, "broker", null), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("a broker-only node is not a voter");
        assertThatThrownBy(() -> ClusterControllers.open(config(4, VOTERS, "controller", null), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("node.id 4 is not one of the voters");
        assertThatThrownBy(() -> ClusterControllers.open(config(4, VOTERS, null, null), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("process.roles=broker");
        assertThatThrownBy(() -> ClusterControllers.open(config(1, VOTERS, "broker,observer", null), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("broker, controller, or both");
        assertThatThrownBy(() -> ClusterControllers.open(
                        config(4, VOTERS, "broker", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9195"), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("has no CONTROLLER listener");
    }

    @Test
    void shouldTakeKafkasSingleNodeQuickStartButNoDynamicQuorum() {
        String quickStart = "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093";
        assertThat(ClusterControllers.isClusterNode(config(1, null, "127.0.0.1:9093", "broker,controller", quickStart)))
                .as("the bootstrap server is this node's own CONTROLLER listener: the single node")
                .isFalse();
        assertThatThrownBy(() -> ClusterControllers.isClusterNode(config(
                        1, null, "127.0.0.1:9093,127.0.0.1:9193,127.0.0.1:9293", "broker,controller", quickStart)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("list the voters in controller.quorum.voters");
        assertThatThrownBy(() -> ClusterControllers.isClusterNode(
                        config(1, null, "127.0.0.1:9193", "broker,controller", quickStart)))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void shouldRefuseANodeOfOneRoleThatCannotFindTheQuorum() {
        assertThat(ClusterControllers.isClusterNode(config(4, null, null, "broker", null)))
                .as("never a single node by mistake")
                .isTrue();
        assertThatThrownBy(() -> ClusterControllers.open(config(4, null, null, "broker", null), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("controller.quorum.voters or controller.quorum.bootstrap.servers");
        assertThatThrownBy(() -> ClusterControllers.open(config(1, null, "127.0.0.1:9192", "controller", null), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("static");
        assertThatThrownBy(() -> ClusterControllers.open(config(4, null, "127.0.0.1", "broker", null), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("host:port");
    }

    @Test
    void shouldRunKafkasSampleControllerConfigAsAQuorumOfOne() throws Exception {
        int port;
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        BrokerConfig sample = config(1, null, "127.0.0.1:" + port, "controller", "CONTROLLER://127.0.0.1:" + port);
        try (QuorumController controller = ClusterControllers.open(sample, dir)) {
            assertThat(controller.quorum().voters()).containsExactly(new QuorumVoter(1, "127.0.0.1", port));
        }
        assertThatThrownBy(() -> ClusterControllers.open(
                        config(
                                1,
                                null,
                                "127.0.0.1:" + port + ",127.0.0.1:9",
                                "controller",
                                "CONTROLLER://127.0.0.1:" + port),
                        dir))
                .as("several bootstrap servers: a dynamic quorum")
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("static");
    }
}
