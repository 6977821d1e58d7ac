package io.piste.server.cli;

import io.piste.broker.group.PartitionLag;
import io.piste.broker.monitoring.LagStatus;
import io.piste.broker.monitoring.LagWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Samples a group's committed offsets and its partitions' log end offsets (Admin OffsetFetch and ListOffsets only, so
 * it works against any Kafka cluster) {@code samples} times, evenly over {@code windowMs}, and judges them with the
 * broker's own rules ({@link LagWindow}, Burrow's evaluation) into a group status with a one-line reason. Sleeping
 * between samples is the window itself. Not thread-safe; one per command run.
 */
final class GroupLagSampler {

    /** One sample: when, the group's committed offsets, the partitions' log end offsets. */
    record Sample(long timeMs, Map<TopicPartition, OffsetAndMetadata> committed, Map<TopicPartition, Long> logEnd) {}

    /**
     * The group's status: a {@link LagStatus} name, or {@code LAGGING} when one sample shows lag with members (one
     * sample cannot tell a trend), and why.
     */
    record Verdict(String status, String reason) {
        String line() {
            return status + ": " + reason;
        }
    }

    private final Admin admin;
    private final String group;
    private final long windowMs;
    private final int samples;

    GroupLagSampler(Admin admin, String group, long windowMs, int samples) {
        this.admin = admin;
        this.group = group;
        this.windowMs = windowMs;
        this.samples = windowMs == 0 ? 1 : samples;
    }

    /**
     * Takes the samples, the first from {@code first} (already fetched), over the partitions of {@code partitions}
     * plus any the group commits for meanwhile; returns them oldest first.
     */
    List<Sample> sample(Map<TopicPartition, OffsetAndMetadata> first, SortedSet<TopicPartition> partitions)
            throws Exception {
        List<Sample> taken = new ArrayList<>(samples);
        long startMs = System.currentTimeMillis();
        taken.add(new Sample(startMs, first, Offsets.list(admin, partitions, OffsetSpec.latest())));
        for (int i = 1; i < samples; i++) {
            long dueMs = startMs + windowMs * i / (samples - 1);
            long waitMs = dueMs - System.currentTimeMillis();
            if (waitMs > 0) {
                Thread.sleep(waitMs); // the sampling window itself
            }
            Map<TopicPartition, OffsetAndMetadata> committed =
                    Await.group(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(), group);
            partitions.addAll(committed.keySet());
            taken.add(new Sample(
                    System.currentTimeMillis(), committed, Offsets.list(admin, partitions, OffsetSpec.latest())));
        }
        return taken;
    }

    /** The status of the group after {@code taken}, with {@code members} members now. */
    Verdict evaluate(List<Sample> taken, int members) {
        LagWindow window = new LagWindow(Math.max(2, taken.size()), 0);
        for (Sample sample : taken) {
            window.observe(sample.timeMs(), lags(sample));
        }
        LagStatus status = window.evaluate(members > 0);
        long lag = totalLag(lags(taken.get(taken.size() - 1)));
        String span = seconds(windowMs);
        return switch (status) {
            case STOPPED -> new Verdict(status.name(), "no members while lag is " + count(lag));
            case STALLED ->
                new Verdict(
                        status.name(), "committed offsets did not move for " + span + " while lag is " + count(lag));
            case WARN -> new Verdict(status.name(), "lag grew at every sample over " + span + ", now " + count(lag));
            case OK -> ok(taken.size(), lag, members, span);
        };
    }

    private static Verdict ok(int sampleCount, long lag, int members, String span) {
        if (lag == 0) {
            return new Verdict("OK", "no lag");
        }
        if (sampleCount == 1) {
            // With members and lag, one sample cannot tell a consumer that keeps up from one that stalled.
            return new Verdict(
                    "LAGGING",
                    "lag is " + count(lag) + " with " + members
                            + " member(s); one sample cannot tell OK, WARN or STALLED (use --status-window)");
        }
        return new Verdict("OK", "lag is " + count(lag) + ", neither stuck nor growing at every sample over " + span);
    }

    /** The sample's lag per partition that has both a committed offset and a log end offset. */
    private List<PartitionLag> lags(Sample sample) {
        List<PartitionLag> lags = new ArrayList<>();
        sample.committed().forEach((tp, offset) -> {
            Long end = sample.logEnd().get(tp);
            if (offset != null && end != null) {
                long lag = Math.max(0, end - offset.offset());
                lags.add(new PartitionLag(group, tp, offset.offset(), end, lag, -1));
            }
        });
        return lags;
    }

    private static long totalLag(List<PartitionLag> lags) {
        long total = 0;
        for (PartitionLag lag : lags) {
            total += lag.lag();
        }
        return total;
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String seconds(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
