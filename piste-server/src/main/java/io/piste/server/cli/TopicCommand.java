package io.piste.server.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code piste topic list|describe|create|alter|delete}, as Kafka's kafka-topics. */
@Command(
        name = "topic",
        mixinStandardHelpOptions = true,
        description = "List, describe, create, alter and delete topics.",
        subcommands = {
            TopicCommand.ListTopics.class,
            TopicCommand.Describe.class,
            TopicCommand.Create.class,
            TopicCommand.Alter.class,
            TopicCommand.Delete.class
        })
final class TopicCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the topics' names, sorted.")
    static final class ListTopics extends ClientCommand {
        @Option(names = "--internal", description = "Include internal topics such as __consumer_offsets.")
        boolean internal;

        @Mixin
        OutputFormat output;

        @Override
        protected int execute() throws Exception {
            List<String> names = new ArrayList<>(
                    new TreeSet<>(Await.get(admin().listTopics(new ListTopicsOptions().listInternal(internal))
                            .names())));
            if (output.json()) {
                out().println(Json.write(names));
            } else {
                names.forEach(out()::println);
            }
            return 0;
        }
    }

    @Command(
            name = "describe",
            mixinStandardHelpOptions = true,
            description = "Partitions (leader, replicas, in-sync replicas) and the configs that are not defaults.")
    static final class Describe extends ClientCommand {
        @Parameters(paramLabel = "TOPIC", arity = "0..*", description = "Topics to describe (default: all).")
        List<String> topics = List.of();

        @Mixin
        OutputFormat output;

        @Override
        protected int execute() throws Exception {
            Collection<String> names = topics.isEmpty()
                    ? new TreeSet<>(Await.get(admin().listTopics().names()))
                    : topics;
            Map<String, KafkaFuture<TopicDescription>> futures =
                    admin().describeTopics(names).topicNameValues();
            List<Object> json = new ArrayList<>();
            for (String name : names) {
                TopicDescription description = Await.topic(futures.get(name), name);
                List<ConfigEntry> configs = nonDefaultConfigs(name);
                if (output.json()) {
                    json.add(toJson(description, configs));
                } else {
                    print(description, configs);
                }
            }
            if (output.json()) {
                out().println(Json.write(topics.size() == 1 ? json.get(0) : json));
            }
            return 0;
        }

        private List<ConfigEntry> nonDefaultConfigs(String topic) throws Exception {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = Await.topic(
                    admin().describeConfigs(List.of(resource)).values().get(resource), topic);
            List<ConfigEntry> entries = new ArrayList<>();
            for (ConfigEntry entry : config.entries()) {
                if (entry.source() != ConfigEntry.ConfigSource.DEFAULT_CONFIG) {
                    entries.add(entry);
                }
            }
            entries.sort((a, b) -> a.name().compareTo(b.name()));
            return entries;
        }

        private void print(TopicDescription description, List<ConfigEntry> configs) {
            List<TopicPartitionInfo> partitions = description.partitions();
            int replicationFactor =
                    partitions.isEmpty() ? 0 : partitions.get(0).replicas().size();
            out().printf(
                            "Topic: %s  TopicId: %s  Partitions: %d  ReplicationFactor: %d%s%n",
                            description.name(),
                            description.topicId(),
                            partitions.size(),
                            replicationFactor,
                            description.isInternal() ? "  (internal)" : "");
            List<String> shown = new ArrayList<>();
            for (ConfigEntry entry : configs) {
                String from = entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
                        ? ""
                        : " (" + Configs.sourceName(entry.source()) + ")";
                shown.add(entry.name() + "=" + Configs.value(entry) + from);
            }
            out().println("Configs: " + (shown.isEmpty() ? "(all defaults)" : String.join(", ", shown)));
            Table table = new Table("PARTITION", "LEADER", "REPLICAS", "ISR");
            for (TopicPartitionInfo p : partitions) {
                table.row(
                        p.partition(), p.leader() == null ? "none" : p.leader().id(), ids(p.replicas()), ids(p.isr()));
            }
            table.print(out());
        }

        private static Map<String, Object> toJson(TopicDescription description, List<ConfigEntry> configs) {
            Map<String, Object> topic = new LinkedHashMap<>();
            topic.put("name", description.name());
            topic.put("topicId", description.topicId().toString());
            topic.put("internal", description.isInternal());
            List<Object> partitions = new ArrayList<>();
            for (TopicPartitionInfo p : description.partitions()) {
                Map<String, Object> partition = new LinkedHashMap<>();
                partition.put("partition", p.partition());
                partition.put("leader", p.leader() == null ? null : p.leader().id());
                partition.put("replicas", idList(p.replicas()));
                partition.put("isr", idList(p.isr()));
                partitions.add(partition);
            }
            topic.put("partitions", partitions);
            Map<String, Object> configMap = new LinkedHashMap<>();
            for (ConfigEntry entry : configs) {
                configMap.put(entry.name(), Configs.value(entry));
            }
            topic.put("configs", configMap);
            return topic;
        }

        private static String ids(List<Node> nodes) {
            StringBuilder ids = new StringBuilder();
            for (Node node : nodes) {
                ids.append(ids.length() == 0 ? "" : ",").append(node.id());
            }
            return ids.toString();
        }

        private static List<Object> idList(List<Node> nodes) {
            List<Object> ids = new ArrayList<>();
            nodes.forEach(n -> ids.add(n.id()));
            return ids;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
    static final class Create extends ClientCommand {
        @Parameters(paramLabel = "TOPIC")
        String topic;

        @Option(
                names = {"-p", "--partitions"},
                paramLabel = "N",
                description = "Default: the broker's num.partitions.")
        Integer partitions;

        @Option(
                names = {"-r", "--replication-factor"},
                paramLabel = "R",
                description = "Default: the broker's default.replication.factor.")
        Short replicationFactor;

        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "A topic config; repeatable.")
        List<String> configs = List.of();

        @Option(names = "--if-not-exists", description = "Succeed if the topic exists already.")
        boolean ifNotExists;

        @Override
        protected int execute() throws Exception {
            NewTopic newTopic = new NewTopic(
                            topic, Optional.ofNullable(partitions), Optional.ofNullable(replicationFactor))
                    .configs(KeyValues.parse(configs, "--config"));
            try {
                Await.topic(admin().createTopics(List.of(newTopic)).all(), topic);
            } catch (CliException e) {
                if (ifNotExists && e.getMessage().endsWith("already exists")) {
                    out().println("Topic " + topic + " exists already.");
                    return 0;
                }
                throw e;
            }
            out().println("Created topic " + topic + ".");
            return 0;
        }
    }

    @Command(
            name = "alter",
            mixinStandardHelpOptions = true,
            description = "Add partitions and/or set or delete topic configs (IncrementalAlterConfigs).")
    static final class Alter extends ClientCommand {
        @Parameters(paramLabel = "TOPIC")
        String topic;

        @Option(
                names = {"-p", "--partitions"},
                paramLabel = "N",
                description = "Grow the topic to N partitions.")
        Integer partitions;

        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "Set a topic config; repeatable.")
        List<String> configs = List.of();

        @Option(names = "--delete-config", paramLabel = "KEY", description = "Back to the default; repeatable.")
        List<String> deleteConfigs = List.of();

        @Override
        protected int execute() throws Exception {
            if (partitions == null && configs.isEmpty() && deleteConfigs.isEmpty()) {
                throw usage("nothing to alter: give --partitions, --config or --delete-config");
            }
            Map<String, String> set = KeyValues.parse(configs, "--config");
            List<String> done = new ArrayList<>();
            if (partitions != null) {
                Await.topic(
                        admin().createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions)))
                                .all(),
                        topic);
                done.add("partitions now " + partitions);
            }
            if (!set.isEmpty() || !deleteConfigs.isEmpty()) {
                Collection<AlterConfigOp> ops = Configs.ops(set, deleteConfigs);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Await.topic(
                        admin().incrementalAlterConfigs(Map.of(resource, ops)).all(), topic);
                done.add(Configs.summary(set, deleteConfigs));
            }
            out().println("Altered topic " + topic + ": " + String.join("; ", done) + ".");
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete topics and their data.")
    static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "TOPIC", arity = "1..*")
        List<String> topics;

        @Option(names = "--if-exists", description = "Succeed if a topic does not exist.")
        boolean ifExists;

        @Override
        protected int execute() throws Exception {
            Map<String, KafkaFuture<Void>> futures =
                    admin().deleteTopics(topics).topicNameValues();
            for (String topic : topics) {
                try {
                    Await.topic(futures.get(topic), topic);
                    out().println("Deleted topic " + topic + ".");
                } catch (CliException e) {
                    if (!ifExists || !e.getMessage().startsWith("unknown topic")) {
                        throw e;
                    }
                }
            }
            return 0;
        }
    }
}
