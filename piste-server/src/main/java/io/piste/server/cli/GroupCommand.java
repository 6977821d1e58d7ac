package io.piste.server.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code piste group list|describe|reset|delete}, as Kafka's kafka-consumer-groups. */
@Command(
        name = "group",
        mixinStandardHelpOptions = true,
        description = "List, describe (with lag), reset and delete consumer groups.",
        subcommands = {
            GroupCommand.ListGroups.class,
            GroupCommand.Describe.class,
            GroupResetCommand.class,
            GroupCommand.Delete.class
        })
final class GroupCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List consumer groups with their state.")
    static final class ListGroups extends ClientCommand {
        @Mixin
        OutputFormat output;

        @Override
        protected int execute() throws Exception {
            Collection<GroupListing> listings = Await.get(
                    admin().listGroups(ListGroupsOptions.forConsumerGroups()).all());
            Map<String, GroupListing> sorted = new TreeMap<>();
            listings.forEach(g -> sorted.put(g.groupId(), g));
            Table table = new Table("GROUP", "TYPE", "STATE");
            List<Object> json = new ArrayList<>();
            for (GroupListing g : sorted.values()) {
                String type = g.type().map(t -> t.toString()).orElse("-");
                String state = g.groupState().map(s -> s.toString()).orElse("-");
                table.row(g.groupId(), type, state);
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("group", g.groupId());
                entry.put("type", type);
                entry.put("state", state);
                json.add(entry);
            }
            if (output.json()) {
                out().println(Json.write(json));
            } else {
                table.print(out());
            }
            return 0;
        }
    }

    @Command(
            name = "describe",
            mixinStandardHelpOptions = true,
            description = "Per partition: committed offset, log end offset, lag, and the member reading it.")
    static final class Describe extends ClientCommand {
        @Parameters(paramLabel = "GROUP")
        String group;

        @Mixin
        OutputFormat output;

        @Override
        protected int execute() throws Exception {
            ConsumerGroupDescription description = Await.group(
                    admin().describeConsumerGroups(List.of(group))
                            .describedGroups()
                            .get(group),
                    group);
            Map<TopicPartition, OffsetAndMetadata> committed =
                    Await.group(admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(), group);
            if (description.groupState() == GroupState.DEAD && committed.isEmpty()) {
                throw new CliException("unknown consumer group '" + group + "'");
            }
            Map<TopicPartition, MemberDescription> owners = new LinkedHashMap<>();
            for (MemberDescription member : description.members()) {
                member.assignment().topicPartitions().forEach(tp -> owners.put(tp, member));
            }
            SortedSet<TopicPartition> partitions = Offsets.sortedPartitions();
            partitions.addAll(committed.keySet());
            partitions.addAll(owners.keySet());
            Map<TopicPartition, Long> logEnd = Offsets.list(admin(), partitions, OffsetSpec.latest());
            Table table = new Table(
                    "GROUP",
                    "TOPIC",
                    "PARTITION",
                    "CURRENT-OFFSET",
                    "LOG-END-OFFSET",
                    "LAG",
                    "CONSUMER-ID",
                    "HOST",
                    "CLIENT-ID");
            List<Object> rows = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata offset = committed.get(tp);
                Long current = offset == null ? null : offset.offset();
                Long end = logEnd.get(tp);
                Long lag = current == null || end == null ? null : Math.max(0, end - current);
                MemberDescription owner = owners.get(tp);
                String consumerId = owner == null ? null : owner.consumerId();
                String host = owner == null ? null : owner.host();
                String clientId = owner == null ? null : owner.clientId();
                table.row(group, tp.topic(), tp.partition(), current, end, lag, consumerId, host, clientId);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("topic", tp.topic());
                row.put("partition", tp.partition());
                row.put("currentOffset", current);
                row.put("logEndOffset", end);
                row.put("lag", lag);
                row.put("consumerId", consumerId);
                row.put("host", host);
                row.put("clientId", clientId);
                rows.add(row);
            }
            if (output.json()) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("group", group);
                json.put("state", description.groupState().toString());
                json.put("type", description.type().toString());
                json.put("members", description.members().size());
                json.put("partitions", rows);
                out().println(Json.write(json));
                return 0;
            }
            out().printf(
                            "Group %s: state %s, type %s, %d member(s), coordinator %s%n",
                            group,
                            description.groupState(),
                            description.type(),
                            description.members().size(),
                            description.coordinator() == null
                                    ? "-"
                                    : description.coordinator().id());
            if (table.size() > 0) {
                table.print(out());
            }
            return 0;
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Delete consumer groups and their committed offsets (the group must have no members).")
    static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "GROUP", arity = "1..*")
        List<String> groups;

        @Override
        protected int execute() throws Exception {
            var futures = admin().deleteConsumerGroups(groups).deletedGroups();
            for (String group : groups) {
                Await.group(futures.get(group), group);
                out().println("Deleted consumer group " + group + ".");
            }
            return 0;
        }
    }
}
