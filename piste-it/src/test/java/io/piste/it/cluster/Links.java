package io.piste.it.cluster;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The network between three nodes as a fault test sets it, and as every {@link LinkProxy} applies it: which
 * directions are cut on which channel (a cut holds the bytes, as a partition that drops packets does while TCP
 * retransmits them; they flow again once healed), and a delay added between nodes. The test's clients
 * ({@link ConnectionOrigins#CLIENT}) are cut only where a fault names them.
 */
final class Links {
    /** The two kinds of connection between nodes: the metadata quorum's and the brokers' (replication). */
    enum Channel {
        QUORUM,
        BROKER
    }

    private final Set<String> cut = ConcurrentHashMap.newKeySet();
    private volatile long delayMillis;

    /** Cuts what {@code from} sends {@code to} on {@code channel}. */
    void cut(int from, int to, Channel channel) {
        cut.add(key(from, to, channel));
    }

    /** Cuts {@code node} from the other nodes on {@code channel}, both ways; clients still reach it. */
    void isolate(int node, Channel channel) {
        for (int other = 1; other <= 3; other++) {
            if (other != node) {
                cut(node, other, channel);
                cut(other, node, channel);
            }
        }
    }

    /** Cuts everything {@code node} sends or receives, its clients' connections included. */
    void isolateFromEveryone(int node) {
        for (Channel channel : Channel.values()) {
            isolate(node, channel);
            cut(node, ConnectionOrigins.CLIENT, channel);
            cut(ConnectionOrigins.CLIENT, node, channel);
        }
    }

    /** Adds {@code millis} to every chunk of bytes one node sends another. */
    void delayBetweenNodes(long millis) {
        delayMillis = millis;
    }

    /** Heals every cut and removes the delay. */
    void heal() {
        cut.clear();
        delayMillis = 0;
    }

    boolean passes(int from, int to, Channel channel) {
        return !cut.contains(key(from, to, channel));
    }

    long delayMillis(int from, int to) {
        return from == ConnectionOrigins.CLIENT || to == ConnectionOrigins.CLIENT ? 0 : delayMillis;
    }

    private static String key(int from, int to, Channel channel) {
        return from + ">" + to + ":" + channel;
    }
}
