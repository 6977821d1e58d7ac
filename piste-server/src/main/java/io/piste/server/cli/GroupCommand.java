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
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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
    /** The longest status window a describe waits for. */
    static final int MAX_STATUS_WINDOW_SECONDS = 600;

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
            description = {
                "Per partition: committed offset, log end offset, lag, and the member reading it.",
                "Above the table, the group's lag STATUS as Burrow evaluates it (the broker's own rules, as its"
                        + " piste_consumergroup_status metric): the offsets are sampled --status-samples times over"
                        + " --status-window seconds. OK: no lag, or lag that is neither stuck nor growing at every"
                        + " sample; WARN: lag grew at every sample while the group committed; STALLED: members, lag,"
                        + " and a committed offset that did not move over the window; STOPPED: lag and no members."
                        + " With --status-window 0 (one sample) only OK (no lag), STOPPED, or LAGGING (lag with"
                        + " members, trend unknown) can be told."
            })
    static final class Describe extends ClientCommand {
        @Parameters(paramLabel = "GROUP")
        String group;

        @Option(
                names = "--status-window",
                paramLabel = "SECONDS",
                defaultValue = "6",
                description = "Seconds over which to sample the offsets for the lag status; 0 takes one sample"
                        + " (default: ${DEFAULT-VALUE}, past the consumer's default auto-commit interval of 5 s,"
                        + " so a consumer between two commits does not look STALLED).")
        double statusWindowSeconds;

        @Option(
                names = "--status-samples",
                paramLabel = "N",
                defaultValue = "3",
                description = "Samples over the status window, 2 to 100 (default: ${DEFAULT-VALUE}).")
        int statusSamples;

        @Mixin
        OutputFormat output;

        @Override
        protected int execute() throws Exception {
            if (!(statusWindowSeconds >= 0 && statusWindowSeconds <= MAX_STATUS_WINDOW_SECONDS)) {
                throw usage("--status-window must be between 0 and " + MAX_STATUS_WINDOW_SECONDS + " seconds: "
                        + statusWindowSeconds);
            }
            if (statusSamples < 2 || statusSamples > 100) {
                throw usage("--status-samples must be between 2 and 100: " + statusSamples);
            }
            ConsumerGroupDescription description = describe();
            Map<TopicPartition, OffsetAndMetadata> committed =
                    Await.group(admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(), group);
            if (description.groupState() == GroupState.DEAD && committed.isEmpty()) {
                throw new CliException("unknown consumer group '" + group + "'");
            }
            SortedSet<TopicPartition> partitions = Offsets.sortedPartitions();
            partitions.addAll(committed.keySet());
            partitions.addAll(owners(description).keySet());
            long windowMs = Math.round(statusWindowSeconds * 1000);
            GroupLagSampler sampler = new GroupLagSampler(admin(), group, windowMs, statusSamples);
            List<GroupLagSampler.Sample> samples = sampler.sample(committed, partitions);
            if (samples.size() > 1) {
                description = describe(); // the members now, at the window's end
            }
            GroupLagSampler.Sample last = samples.get(samples.size() - 1);
            committed = last.committed();
            Map<TopicPartition, Long> logEnd = last.logEnd();
            Map<TopicPartition, MemberDescription> owners = owners(description);
            partitions.addAll(owners.keySet());
            GroupLagSampler.Verdict verdict =
                    sampler.evaluate(samples, description.members().size());
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
                json.put("status", verdict.status());
                json.put("statusReason", verdict.reason());
                json.put("statusWindowMs", windowMs);
                json.put("statusSamples", samples.size());
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
            out().println("STATUS " + verdict.line());
            if (table.size() > 0) {
                table.print(out());
            }
            return 0;
        }

        private ConsumerGroupDescription describe() throws Exception {
            return Await.group(
                    admin().describeConsumerGroups(List.of(group))
                            .describedGroups()
                            .get(group),
                    group);
        }

        private static Map<TopicPartition, MemberDescription> owners(ConsumerGroupDescription description) {
            Map<TopicPartition, MemberDescription> owners = new LinkedHashMap<>();
            for (MemberDescription member : description.members()) {
                member.assignment().topicPartitions().forEach(tp -> owners.put(tp, member));
            }
            return owners;
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
