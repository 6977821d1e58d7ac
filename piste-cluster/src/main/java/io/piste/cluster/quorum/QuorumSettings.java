package io.piste.cluster.quorum;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How one node joins the metadata quorum: its {@code node.id}, the voters of {@code controller.quorum.voters} (a
 * node not among them is a broker-only node, see {@link #isVoter()}), the directory of its Raft log and snapshots,
 * Kafka's {@code controller.quorum.election.timeout.ms} (a follower that hears no leader for this long, plus up to as
 * much again at random, starts an election) and {@code controller.quorum.request.timeout.ms} (how long a proposed
 * change may wait for its commit), the number of entries between two snapshots, and {@code metadata.log.segment.bytes}:
 * the size at which the Raft log starts a new segment file (only whole segments before a snapshot are deleted), and
 * where a voter listens: its CONTROLLER listener if {@code listeners} has one, else its own voter's address.
 */
public record QuorumSettings(
        int nodeId,
        List<QuorumVoter> voters,
        Path dir,
        Duration electionTimeout,
        Duration requestTimeout,
        long snapshotEveryEntries,
        long segmentBytes,
        Listener listener) {

    /** Where the member binds: {@code host} null for every interface. */
    public record Listener(String host, int port) {
        public Listener {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("quorum listener port " + port + " outside 0..65535");
            }
        }
    }

    /**
     * Whether this node is one of the voters; if not, it is a broker-only node (Kafka's observer), which fetches the
     * metadata from the voters and has no {@link #listener()}.
     */
    public boolean isVoter() {
        return listener != null;
    }

    /** Kafka's defaults for the two timeouts. */
    public static final Duration DEFAULT_ELECTION_TIMEOUT = Duration.ofMillis(1000);

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMillis(2000);

    /** Entries are a change each, a few hundred bytes: this keeps the log to some tens of MB between snapshots. */
    public static final long DEFAULT_SNAPSHOT_EVERY_ENTRIES = 100_000;

    /**
     * 8 MiB rather than Kafka's 1 GiB: the log is deleted a whole segment at a time once a snapshot covers it, and
     * 100,000 changes of a few hundred bytes fill some tens of MB.
     */
    public static final long DEFAULT_SEGMENT_BYTES = 8L << 20;

    public QuorumSettings {
        voters = List.copyOf(voters);
        QuorumVoter self = null;
        for (QuorumVoter voter : voters) {
            if (voter.id() == nodeId) {
                self = voter;
            }
        }
        if (self == null && listener != null) {
            throw new IllegalArgumentException("node.id " + nodeId + " is not among controller.quorum.voters " + voters
                    + ": a broker-only node has no quorum listener");
        }
        if (listener == null && self != null) {
            listener = new Listener(self.host(), self.port());
        }
        if (electionTimeout.toMillis() < 10 || requestTimeout.toMillis() < 10) {
            throw new IllegalArgumentException("quorum timeouts must be at least 10 ms");
        }
        if (snapshotEveryEntries < 1) {
            throw new IllegalArgumentException(
                    "snapshot interval must be at least 1 entry, got " + snapshotEveryEntries);
        }
    }

    /** With Kafka's default timeouts and the default snapshot interval and segment size. */
    public static QuorumSettings of(int nodeId, List<QuorumVoter> voters, Path dir) {
        return new QuorumSettings(
                nodeId,
                voters,
                dir,
                DEFAULT_ELECTION_TIMEOUT,
                DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_SNAPSHOT_EVERY_ENTRIES,
                DEFAULT_SEGMENT_BYTES,
                null);
    }
}
