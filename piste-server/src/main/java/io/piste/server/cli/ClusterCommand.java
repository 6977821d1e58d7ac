package io.piste.server.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code piste cluster}: what the cluster says about itself. */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "Show the cluster.",
        subcommands = {ClusterCommand.Info.class})
final class ClusterCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Command(
            name = "info",
            mixinStandardHelpOptions = true,
            description = "Cluster id, controller, brokers (host, port, rack), topic and partition counts.")
    static final class Info extends ClientCommand {
        @Mixin
        OutputFormat output;

        @Override
        protected int execute() throws Exception {
            DescribeClusterResult cluster = admin().describeCluster();
            String clusterId = Await.get(cluster.clusterId());
            Node controller = Await.get(cluster.controller());
            List<Node> brokers = new ArrayList<>(Await.get(cluster.nodes()));
            brokers.sort(Comparator.comparingInt(Node::id));
            Set<String> topics = Await.get(admin().listTopics().names());
            Collection<TopicDescription> descriptions =
                    Await.get(admin().describeTopics(topics).allTopicNames()).values();
            int partitions = 0;
            for (TopicDescription d : descriptions) {
                partitions += d.partitions().size();
            }
            boolean noController = controller == null || controller.isEmpty();
            if (output.json()) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("clusterId", clusterId);
                json.put("controller", noController ? null : controller.id());
                List<Object> nodes = new ArrayList<>();
                for (Node n : brokers) {
                    Map<String, Object> node = new LinkedHashMap<>();
                    node.put("id", n.id());
                    node.put("host", n.host());
                    node.put("port", n.port());
                    node.put("rack", n.rack());
                    nodes.add(node);
                }
                json.put("brokers", nodes);
                json.put("topics", topics.size());
                json.put("partitions", partitions);
                out().println(Json.write(json));
                return 0;
            }
            out().println("Cluster id:  " + clusterId);
            out().println("Controller:  " + (noController ? "none" : controller.id()));
            out().println("Topics:      " + topics.size() + " (" + partitions + " partitions)");
            Table table = new Table("BROKER", "HOST", "PORT", "RACK");
            for (Node n : brokers) {
                table.row(n.id(), n.host(), n.port(), n.rack());
            }
            table.print(out());
            return 0;
        }
    }
}
