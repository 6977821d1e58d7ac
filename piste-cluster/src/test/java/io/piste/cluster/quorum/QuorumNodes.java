package io.piste.cluster.quorum;

import io.piste.broker.metadata.MetadataImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Test helper: a quorum of voters on loopback, each node in its own directory, started and stopped one by one. */
final class QuorumNodes implements AutoCloseable {
    static final Duration ELECTION_TIMEOUT = Duration.ofMillis(300);
    static final long WAIT_MS = 30_000;
    /** Small segments, so that a snapshot lets a node delete the log before it (whole segments only). */
    static final long SEGMENT_BYTES = 1024;

    private final List<QuorumVoter> voters;
    private final Path root;
    private final long snapshotEveryEntries;
    private final MetadataQuorum[] nodes;

    QuorumNodes(int count, Path root, long snapshotEveryEntries) {
        List<QuorumVoter> list = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            list.add(new QuorumVoter(id, "127.0.0.1", freePort()));
        }
        this.voters = List.copyOf(list);
        this.root = root;
        this.snapshotEveryEntries = snapshotEveryEntries;
        this.nodes = new MetadataQuorum[count];
    }

    QuorumNodes startAll() throws IOException {
        for (QuorumVoter voter : voters) {
            start(voter.id());
        }
        return this;
    }

    MetadataQuorum start(int id) throws IOException {
        QuorumSettings settings = new QuorumSettings(
                id, voters, dir(id), ELECTION_TIMEOUT, Duration.ofMillis(2000), snapshotEveryEntries, SEGMENT_BYTES);
        nodes[id - 1] = MetadataQuorum.start(settings, image -> {});
        return nodes[id - 1];
    }

    void stop(int id) throws IOException {
        nodes[id - 1].close();
        nodes[id - 1] = null;
    }

    MetadataQuorum node(int id) {
        return nodes[id - 1];
    }

    Path dir(int id) {
        return root.resolve("node-" + id);
    }

    List<QuorumVoter> voters() {
        return voters;
    }

    /** The leader's id, once one of the running nodes leads (bounded wait). */
    int awaitLeader() throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            for (MetadataQuorum node : nodes) {
                if (node != null && node.status().isLeader()) {
                    return node.status().nodeId();
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader among the running nodes within " + WAIT_MS + " ms");
    }

    /** Waits until every running node's image passes {@code test}; fails after the bounded wait. */
    void awaitImages(Predicate<MetadataImage> test, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            boolean all = true;
            for (MetadataQuorum node : nodes) {
                all &= node == null || test.test(node.image());
            }
            if (all) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not every running node's image shows " + what + " within " + WAIT_MS + " ms");
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null) {
                try {
                    nodes[i].close();
                } catch (IOException e) {
                    failure = e;
                }
                nodes[i] = null;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
