package io.piste.cluster.quorum;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's {@code controller.quorum.bootstrap.servers} (KIP-853) for a broker-only node: the addresses of some
 * controllers, without their ids. The node asks them in turn for the metadata group's configuration (Ratis' group
 * info, which any voter answers) and takes its voters from the answer, ids and addresses; it then fetches the metadata
 * as with {@code controller.quorum.voters}. The quorum itself stays static: its voters come from their own
 * {@code controller.quorum.voters}.
 */
public final class QuorumBootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(QuorumBootstrap.class);

    /** As many addresses as voters at most: more would only lengthen a round of asking. */
    static final int MAX_SERVERS = QuorumVoter.MAX_VOTERS;

    private static final Duration WAIT_LOG_INTERVAL = Duration.ofSeconds(10);

    private QuorumBootstrap() {}

    /**
     * Parses {@code controller.quorum.bootstrap.servers}: {@code host1:9093,host2:9093,...} (an IPv6 host in brackets).
     * The result's ids are only positions in the list.
     *
     * @throws IllegalArgumentException naming the entry that is wrong: no port, a port that is not a number, an
     *     address twice, none at all or more than {@value #MAX_SERVERS}
     */
    public static List<QuorumVoter> parse(String value) {
        String[] entries = QuorumVoter.entries(value, "controller.quorum.bootstrap.servers", "addresses");
        List<QuorumVoter> servers = new ArrayList<>(entries.length);
        Set<String> addresses = new HashSet<>();
        for (String entry : entries) {
            String address = entry.trim();
            int colon = address.lastIndexOf(':');
            if (colon <= 0 || colon == address.length() - 1) {
                throw new IllegalArgumentException(
                        "controller.quorum.bootstrap.servers entry '" + address + "' is not of the form host:port");
            }
            String host = address.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            QuorumVoter server;
            try {
                server = new QuorumVoter(servers.size(), host, Integer.parseInt(address.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "controller.quorum.bootstrap.servers entry '" + address + "' has no numeric port");
            }
            if (!addresses.add(server.address())) {
                throw new IllegalArgumentException(
                        "controller.quorum.bootstrap.servers names " + server.address() + " twice");
            }
            servers.add(server);
        }
        return List.copyOf(servers);
    }

    /**
     * The quorum's voters, from the first of {@code servers} that answers; asks them all again every {@code retry}
     * until one does (logging every 10 s), since controllers may start after their brokers.
     *
     * @throws InterruptedIOException if interrupted meanwhile
     */
    public static List<QuorumVoter> discoverVoters(List<QuorumVoter> servers, Duration retry) throws IOException {
        long started = System.nanoTime();
        long lastLog = started;
        while (true) {
            for (QuorumVoter server : servers) {
                try {
                    List<QuorumVoter> voters = askVoters(server, retry);
                    LOG.info(
                            "The metadata quorum's voters, as {} gave them: {}",
                            server.address(),
                            voters.stream().map(v -> v.id() + "@" + v.address()).toList());
                    return voters;
                } catch (IOException | RuntimeException e) {
                    if (System.nanoTime() - lastLog >= WAIT_LOG_INTERVAL.toNanos()) {
                        lastLog = System.nanoTime();
                        LOG.info(
                                "No controller of controller.quorum.bootstrap.servers {} told the quorum's voters "
                                        + "yet ({} s so far): {}",
                                servers.stream().map(QuorumVoter::address).toList(),
                                (lastLog - started) / 1_000_000_000,
                                e.toString());
                    }
                }
            }
            try {
                Thread.sleep(retry.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while asking for the metadata quorum's voters");
            }
        }
    }

    /** Asks one controller for the group's voters; its id is unknown, so the client names it by its position. */
    private static List<QuorumVoter> askVoters(QuorumVoter server, Duration timeout) throws IOException {
        RaftPeerId unknown = RaftPeerId.valueOf("bootstrap-" + server.id());
        RaftPeer peer = RaftPeer.newBuilder()
                .setId(unknown)
                .setAddress(server.address())
                .build();
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(
                properties, TimeDuration.valueOf(timeout.toMillis(), TimeUnit.MILLISECONDS));
        try (RaftClient client = RaftClient.newBuilder()
                .setRaftGroup(RaftGroup.valueOf(MetadataQuorum.GROUP_ID, peer))
                .setProperties(properties)
                .setRetryPolicy(RetryPolicies.noRetry())
                .build()) {
            GroupInfoReply reply = client.getGroupManagementApi(unknown).info(MetadataQuorum.GROUP_ID);
            return voters(reply.getGroup());
        }
    }

    /** The group's peers as voters: their ids are node ids, their addresses host:port. */
    static List<QuorumVoter> voters(RaftGroup group) {
        StringBuilder spec = new StringBuilder();
        for (RaftPeer peer : group.getPeers()) {
            if (spec.length() > 0) {
                spec.append(',');
            }
            spec.append(MetadataQuorum.nodeId(peer.getId())).append('@').append(peer.getAddress());
        }
        return QuorumVoter.parseAll(spec.toString());
    }
}
