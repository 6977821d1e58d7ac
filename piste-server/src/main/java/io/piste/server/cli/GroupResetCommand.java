package io.piste.server.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code piste group reset GROUP}, as kafka-consumer-groups --reset-offsets: prints the new offsets and changes
 * nothing unless {@code --execute}; refuses to execute while the group has members (they would overwrite the
 * new offsets with their own commits). Targets are kept within each partition's earliest and latest offsets.
 */
@Command(
        name = "reset",
        mixinStandardHelpOptions = true,
        description = "Reset a group's committed offsets (a dry run unless --execute).")
final class GroupResetCommand extends ClientCommand {
    @Parameters(paramLabel = "GROUP")
    String group;

    @Option(
            names = {"-t", "--topic"},
            paramLabel = "TOPIC[:P,P...]",
            description = "A topic, or some of its partitions; repeatable.")
    List<String> topics = List.of();

    @Option(names = "--all-topics", description = "Every topic the group has committed offsets for.")
    boolean allTopics;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--execute", description = "Commit the new offsets (default: only print them).")
    boolean execute;

    /** Where to move each offset: exactly one of these. */
    static final class Target {
        @Option(names = "--to-earliest", required = true, description = "The earliest offset.")
        boolean earliest;

        @Option(names = "--to-latest", required = true, description = "The log end offset.")
        boolean latest;

        @Option(names = "--to-offset", required = true, paramLabel = "N", description = "Offset N.")
        Long offset;

        @Option(
                names = "--to-datetime",
                required = true,
                paramLabel = "ISO|EPOCH_MS",
                description = "The first offset at or after this time.")
        String datetime;

        @Option(names = "--shift-by", required = true, paramLabel = "N", description = "The current offset plus N.")
        Long shiftBy;
    }

    @Override
    protected int execute() throws Exception {
        if (topics.isEmpty() == !allTopics) {
            throw usage("give --topic (repeatable) or --all-topics");
        }
        ConsumerGroupDescription description = Await.group(
                admin().describeConsumerGroups(List.of(group)).describedGroups().get(group), group);
        if (execute && !description.members().isEmpty()) {
            throw new CliException("consumer group '" + group + "' has "
                    + description.members().size()
                    + " active member(s) (state " + description.groupState()
                    + "); stop its consumers before --execute");
        }
        Map<TopicPartition, OffsetAndMetadata> committed =
                Await.group(admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(), group);
        if (allTopics && committed.isEmpty() && description.groupState() == GroupState.DEAD) {
            throw new CliException("unknown consumer group '" + group + "'");
        }
        SortedSet<TopicPartition> partitions = partitions(committed);
        Map<TopicPartition, Long> earliest = Offsets.list(admin(), partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> latest = Offsets.list(admin(), partitions, OffsetSpec.latest());
        // A committed offset of a deleted topic has nothing to reset to.
        partitions.removeIf(tp -> !earliest.containsKey(tp) || !latest.containsKey(tp));
        Map<TopicPartition, Long> targets = targets(partitions, committed, earliest, latest);
        Table table = new Table("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET");
        Map<TopicPartition, OffsetAndMetadata> newOffsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata current = committed.get(tp);
            long target = Math.max(earliest.get(tp), Math.min(latest.get(tp), targets.get(tp)));
            table.row(group, tp.topic(), tp.partition(), current == null ? null : current.offset(), target);
            newOffsets.put(tp, new OffsetAndMetadata(target));
        }
        table.print(out());
        if (execute) {
            Await.group(admin().alterConsumerGroupOffsets(group, newOffsets).all(), group);
            out().println("Reset the offsets of " + newOffsets.size() + " partition(s) of group " + group + ".");
        } else {
            err().println("Dry run: nothing changed. Add --execute to commit these offsets.");
        }
        return 0;
    }

    private SortedSet<TopicPartition> partitions(Map<TopicPartition, OffsetAndMetadata> committed) throws Exception {
        SortedSet<TopicPartition> partitions = Offsets.sortedPartitions();
        if (allTopics) {
            partitions.addAll(committed.keySet());
            return partitions;
        }
        for (String spec : topics) {
            int colon = spec.indexOf(':');
            String topic = colon < 0 ? spec : spec.substring(0, colon);
            TopicDescription description = Await.topic(
                    admin().describeTopics(List.of(topic)).topicNameValues().get(topic), topic);
            List<Integer> existing = new ArrayList<>();
            description.partitions().forEach((TopicPartitionInfo p) -> existing.add(p.partition()));
            if (colon < 0) {
                existing.forEach(p -> partitions.add(new TopicPartition(topic, p)));
                continue;
            }
            for (String p : spec.substring(colon + 1).split(",")) {
                int number = parsePartition(p, spec);
                if (!existing.contains(number)) {
                    throw new CliException("topic '" + topic + "' has no partition " + number);
                }
                partitions.add(new TopicPartition(topic, number));
            }
        }
        return partitions;
    }

    private Map<TopicPartition, Long> targets(
            SortedSet<TopicPartition> partitions,
            Map<TopicPartition, OffsetAndMetadata> committed,
            Map<TopicPartition, Long> earliest,
            Map<TopicPartition, Long> latest)
            throws Exception {
        Map<TopicPartition, Long> targets = new HashMap<>();
        if (target.datetime != null) {
            long timestamp = ConsumeCommand.parseTimestamp(target.datetime);
            Map<TopicPartition, Long> atTime = Offsets.list(admin(), partitions, OffsetSpec.forTimestamp(timestamp));
            // No record at or after the time: the log end, as kafka-consumer-groups does.
            partitions.forEach(
                    tp -> targets.put(tp, atTime.getOrDefault(tp, -1L) < 0 ? latest.get(tp) : atTime.get(tp)));
            return targets;
        }
        for (TopicPartition tp : partitions) {
            long value;
            if (target.earliest) {
                value = earliest.get(tp);
            } else if (target.latest) {
                value = latest.get(tp);
            } else if (target.offset != null) {
                value = target.offset;
            } else {
                OffsetAndMetadata current = committed.get(tp);
                if (current == null) {
                    throw new CliException("--shift-by: group '" + group + "' has no committed offset for " + tp);
                }
                value = current.offset() + target.shiftBy;
            }
            targets.put(tp, value);
        }
        return targets;
    }

    private static int parsePartition(String text, String spec) throws CliException {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new CliException("--topic " + spec + ": '" + text + "' is not a partition number");
        }
    }
}
