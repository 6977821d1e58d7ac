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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Test helper: a quorum of voters on loopback, each node in its own directory, started and stopped one by one, and
 * broker-only nodes (observers) with ids above the voters'. A node is what {@code starter} makes of its settings: a
 * {@link MetadataQuorum}, or something built on one.
 */
public final class QuorumNodes<T extends AutoCloseable> implements AutoCloseable {

    /** Starts one node from its settings. */
    public interface Starter<T> {
        T start(QuorumSettings settings) throws IOException;
    }

    /** Nodes that are the quorum members themselves. */
    static QuorumNodes<MetadataQuorum> ofQuorums(int count, Path root, long snapshotEveryEntries) {
        return new QuorumNodes<>(
                count, root, snapshotEveryEntries, s -> MetadataQuorum.start(s, (before, after) -> {}), q -> q);
    }

    static final Duration ELECTION_TIMEOUT = Duration.ofMillis(300);
    static final long WAIT_MS = 30_000;
    /** Small segments, so that a snapshot lets a node delete the log before it (whole segments only). */
    static final long SEGMENT_BYTES = 1024;

    private final List<QuorumVoter> voters;
    private final Path root;
    private final long snapshotEveryEntries;
    private final Starter<T> starter;
    private final Function<T, MetadataQuorum> quorumOf;
    private final List<T> nodes = new CopyOnWriteArrayList<>(); // read by proposer threads while a test stops nodes
    private final Map<Integer, T> observers = new ConcurrentHashMap<>();

    public QuorumNodes(
            int count, Path root, long snapshotEveryEntries, Starter<T> starter, Function<T, MetadataQuorum> quorumOf) {
        List<QuorumVoter> list = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            list.add(new QuorumVoter(id, "127.0.0.1", freePort()));
        }
        this.voters = List.copyOf(list);
        this.root = root;
        this.snapshotEveryEntries = snapshotEveryEntries;
        this.starter = starter;
        this.quorumOf = quorumOf;
        for (int i = 0; i < count; i++) {
            nodes.add(null);
        }
    }

    public QuorumNodes<T> startAll() throws IOException {
        for (QuorumVoter voter : voters) {
            start(voter.id());
        }
        return this;
    }

    /** Starts broker-only node {@code id} (above the voters' ids), which fetches the metadata from the voters. */
    public T startObserver(int id) throws IOException {
        if (id <= voters.size()) {
            throw new IllegalArgumentException("observer ids come after the " + voters.size() + " voters");
        }
        T observer = starter.start(settings(id));
        observers.put(id, observer);
        return observer;
    }

    public T start(int id) throws IOException {
        nodes.set(id - 1, starter.start(settings(id)));
        return nodes.get(id - 1);
    }

    /** Node {@code id}'s settings: a voter's if it is among the voters, else a broker-only node's. */
    private QuorumSettings settings(int id) {
        return new QuorumSettings(
                id,
                voters,
                dir(id),
                ELECTION_TIMEOUT,
                Duration.ofMillis(2000),
                snapshotEveryEntries,
                SEGMENT_BYTES,
                null);
    }

    public void stop(int id) throws Exception {
        if (id > voters.size()) {
            observers.remove(id).close();
            return;
        }
        nodes.get(id - 1).close();
        nodes.set(id - 1, null);
    }

    public T node(int id) {
        return id > voters.size() ? observers.get(id) : nodes.get(id - 1);
    }

    public Path dir(int id) {
        return root.resolve("node-" + id);
    }

    public List<QuorumVoter> voters() {
        return voters;
    }

    /** The leader's id, once one of the running nodes leads (bounded wait). */
    public int awaitLeader() throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            for (T node : nodes) {
                if (node != null && quorumOf.apply(node).status().isLeader()) {
                    return quorumOf.apply(node).status().nodeId();
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader among the running nodes within " + WAIT_MS + " ms");
    }

    /** Waits until every running node's image passes {@code test}; fails after the bounded wait. */
    public void awaitImages(Predicate<MetadataImage> test, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            boolean all = true;
            for (T node : nodes) {
                all &= node == null || test.test(quorumOf.apply(node).image());
            }
            for (T observer : observers.values()) {
                all &= test.test(quorumOf.apply(observer).image());
            }
            if (all) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not every running node's image shows " + what + " within " + WAIT_MS + " ms");
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (T observer : observers.values()) {
            try {
                observer.close();
            } catch (Exception e) {
                failure = e;
            }
        }
        observers.clear();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i) != null) {
                try {
                    nodes.get(i).close();
                } catch (Exception e) {
                    failure = e;
                }
                nodes.set(i, null);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * A loopback port free now, for a quorum member that binds it later (a restart may bind it again much later):
     * taken below Linux's ephemeral range (32768 and up), from which the nodes' own outgoing connections get their
     * ports, so that none of them can hold it by then. Ratis ends the JVM when its server cannot bind.
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12_000);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free loopback port between 20000 and 32000"));
    }
}
