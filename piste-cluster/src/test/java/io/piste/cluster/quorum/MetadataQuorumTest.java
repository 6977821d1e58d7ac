package io.piste.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.TopicImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three voters on loopback over Ratis' gRPC transport, each with its own storage, as separate nodes would run. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetadataQuorumTest {

    @TempDir
    Path root;

    @Test
    void shouldListenOnItsControllerListenerRatherThanItsVoterAddress() throws Exception {
        int voterPort = freePort();
        int listenerPort = freePort();
        QuorumSettings settings = new QuorumSettings(
                1,
                List.of(new QuorumVoter(1, "127.0.0.1", voterPort)),
                root.resolve("node-1"),
                QuorumNodes.ELECTION_TIMEOUT,
                Duration.ofMillis(2000),
                1000,
                QuorumNodes.SEGMENT_BYTES,
                new QuorumSettings.Listener("127.0.0.1", listenerPort));
        try (MetadataQuorum quorum = MetadataQuorum.start(settings, (before, after) -> {})) {
            assertThat(accepts(listenerPort)).as("the listener").isTrue();
            assertThat(accepts(voterPort))
                    .as("the voter address, where a proxy would be")
                    .isFalse();
        }
    }

    private static int freePort() {
        return QuorumNodes.freePort();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return socket.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void shouldApplyAChangeProposedThroughAFollowerOnEveryNode() throws Exception {
        try (QuorumNodes<MetadataQuorum> nodes =
                QuorumNodes.ofQuorums(3, root, 1000).startAll()) {
            int leader = nodes.awaitLeader();
            int follower = leader % 3 + 1;
            MetadataImage image = nodes.node(follower).propose(List.of(topic("orders", 6)));

            assertThat(image.topic("orders").partitionCount()).isEqualTo(6);
            nodes.awaitImages(i -> i.topic("orders") != null, "topic orders");
            assertThat(nodes.node(leader).status().committedIndex()).isPositive();
        }
    }

    @Test
    void shouldCreateATopicOnceWhenTwoNodesProposeItAtOnce() throws Exception {
        try (QuorumNodes<MetadataQuorum> nodes =
                QuorumNodes.ofQuorums(3, root, 1000).startAll()) {
            nodes.awaitLeader();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<MetadataImage>> proposals = new ArrayList<>();
                for (int id : new int[] {1, 2}) {
                    Callable<MetadataImage> propose = () -> nodes.node(id).propose(List.of(topic("payments", 3)));
                    proposals.add(pool.submit(propose));
                }
                int created = 0;
                int refused = 0;
                for (Future<MetadataImage> proposal : proposals) {
                    try {
                        proposal.get(30, TimeUnit.SECONDS);
                        created++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(TopicExistsException.class);
                        refused++;
                    }
                }
                assertThat(created).isEqualTo(1);
                assertThat(refused).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
            Uuid id = nodes.node(1).image().topic("payments").topicId();
            nodes.awaitImages(
                    i -> i.topics().size() == 1 && i.topic("payments").topicId().equals(id), "one payments");
        }
    }

    @Test
    void shouldRefuseAProducerIdBlockReservedAgainstAnOlderImage() throws Exception {
        try (QuorumNodes<MetadataQuorum> nodes =
                QuorumNodes.ofQuorums(3, root, 1000).startAll()) {
            nodes.awaitLeader();
            nodes.node(1).propose(List.of(new MetadataRecord.ProducerIds(1000)));

            // Node 2 read the image before node 1's block and reserves the same one.
            assertThatThrownBy(() -> nodes.node(2).propose(List.of(new MetadataRecord.ProducerIds(1000))))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("not above the reserved 1000");
            assertThat(nodes.node(2)
                            .propose(List.of(new MetadataRecord.ProducerIds(2000)))
                            .producerIdBlockEnd())
                    .isEqualTo(2000);
        }
    }

    @Test
    void shouldElectANewLeaderWhenTheLeaderStopsAndCatchItUpWhenItReturns() throws Exception {
        try (QuorumNodes<MetadataQuorum> nodes =
                QuorumNodes.ofQuorums(3, root, 1000).startAll()) {
            int leader = nodes.awaitLeader();
            nodes.node(leader).propose(List.of(topic("before", 1)));
            nodes.stop(leader);

            int survivor = leader % 3 + 1;
            nodes.node(survivor).propose(List.of(topic("after", 2)));
            int newLeader = nodes.awaitLeader();
            assertThat(newLeader).isNotEqualTo(leader);
            assertThat(nodes.node(newLeader).status().term()).isGreaterThan(1);

            // The old leader restarts from its own storage, with no format step, and catches up.
            nodes.start(leader);
            nodes.awaitImages(i -> i.topic("before") != null && i.topic("after") != null, "both topics");
        }
    }

    @Test
    void shouldTakeChangesAgainAfterAProposalRanOutOfRetriesWithoutALeader() throws Exception {
        try (QuorumNodes<MetadataQuorum> nodes =
                QuorumNodes.ofQuorums(3, root, 1000).startAll()) {
            int leader = nodes.awaitLeader();
            int survivor = leader % 3 + 1;
            int other = 6 - leader - survivor;
            nodes.stop(leader);
            nodes.stop(other);

            // No majority: the proposal runs out of Ratis' retries, which closes the client's ordered stream.
            assertThatThrownBy(() -> nodes.node(survivor).propose(List.of(topic("lost", 1))))
                    .isInstanceOfAny(IOException.class, org.apache.kafka.common.errors.TimeoutException.class);

            nodes.start(leader);
            nodes.start(other);
            nodes.awaitLeader();
            // The closed client fails the next proposal at most (never sent twice); the one after goes through.
            for (int attempt = 1; nodes.node(survivor).image().topic("after") == null; attempt++) {
                try {
                    nodes.node(survivor).propose(List.of(topic("after", 1)));
                } catch (IOException e) {
                    assertThat(attempt)
                            .as("proposals refused after the majority returned")
                            .isLessThan(3);
                }
            }
            nodes.awaitImages(i -> i.topic("after") != null, "the change proposed after the majority returned");
        }
    }

    @Test
    void shouldKeepEveryChangeWhenEveryNodeRestartsFromSnapshotsAndLog() throws Exception {
        Map<String, TopicImage> before;
        try (QuorumNodes<MetadataQuorum> nodes =
                QuorumNodes.ofQuorums(3, root, 5).startAll()) {
            nodes.awaitLeader();
            for (int i = 0; i < 12; i++) {
                nodes.node(i % 3 + 1).propose(List.of(topic("t" + i, i + 1)));
            }
            nodes.node(1)
                    .propose(List.of(new MetadataRecord.BrokerConfigs("default", Map.of("log.retention.ms", "1"))));
            nodes.awaitImages(
                    i -> i.topics().size() == 12 && !i.brokerConfigs("default").isEmpty(), "all changes");
            before = byName(nodes.node(1).image());
            nodes.close();

            assertThat(snapshotFiles(nodes.dir(1))).isNotEmpty();
            nodes.startAll();
            nodes.awaitImages(i -> byName(i).equals(before), "the same topics after the restart");
            assertThat(nodes.node(3).image().brokerConfigs("default")).containsEntry("log.retention.ms", "1");
            // And the restarted quorum takes new changes.
            nodes.awaitLeader();
            nodes.node(2).propose(List.of(topic("new", 1)));
        }
    }

    @Test
    void shouldBringANodeBackFromTheLeadersSnapshotWhenItsLogIsPurged() throws Exception {
        try (QuorumNodes<MetadataQuorum> nodes =
                QuorumNodes.ofQuorums(3, root, 5).startAll()) {
            int leader = nodes.awaitLeader();
            int lagging = leader % 3 + 1;
            nodes.node(leader).propose(List.of(topic("first", 1)));
            nodes.stop(lagging);
            for (int i = 0; i < 30; i++) {
                nodes.node(leader).propose(List.of(topic("t" + i, 1)));
            }
            // The others snapshot every 5 entries and purge their logs up to the snapshot.
            assertThat(nodes.node(leader).status().committedIndex()).isGreaterThan(30);

            nodes.start(lagging);
            nodes.awaitImages(i -> i.topics().size() == 31, "31 topics on the node that was down");
            nodes.node(lagging).propose(List.of(topic("last", 1)));
        }
    }

    @Test
    void shouldRefuseAnEntryThatIsNotAMetadataChangeAndKeepWorking() throws Exception {
        try (QuorumNodes<MetadataQuorum> nodes =
                QuorumNodes.ofQuorums(3, root, 1000).startAll()) {
            nodes.awaitLeader();
            nodes.node(1).propose(List.of(topic("kept", 1)));
            // Any program that reaches a voter's port can propose an entry: garbage, or a topic name that would
            // leave the log dir.
            List<RaftPeer> peers = new ArrayList<>();
            for (QuorumVoter voter : nodes.voters()) {
                peers.add(RaftPeer.newBuilder()
                        .setId(MetadataQuorum.peerId(voter.id()))
                        .setAddress(voter.address())
                        .build());
            }
            try (RaftClient client = RaftClient.newBuilder()
                    .setRaftGroup(RaftGroup.valueOf(MetadataQuorum.GROUP_ID, peers))
                    .setProperties(new RaftProperties())
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                            50, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                    .build()) {
                Map<String, Errors> hostile = Map.of(
                        "\u0000\u0001garbage",
                        Errors.INVALID_REQUEST,
                        "NEW_THING 1\n",
                        Errors.INVALID_REQUEST,
                        "TOPIC ../../etc " + Uuid.randomUuid() + " 1\n",
                        Errors.INVALID_TOPIC_EXCEPTION,
                        "TOPIC huge " + Uuid.randomUuid() + " 2147483647\n",
                        Errors.INVALID_REQUEST);
                for (Map.Entry<String, Errors> entry : hostile.entrySet()) {
                    RaftClientReply reply = client.io().send(Message.valueOf(entry.getKey()));
                    assertThat(ChangeReply.fromMessage(reply.getMessage()).error())
                            .as(entry.getKey())
                            .isEqualTo(entry.getValue());
                }
            }
            nodes.node(2).propose(List.of(topic("after", 1)));
            nodes.awaitImages(i -> i.topics().size() == 2 && i.topic("after") != null, "kept and after only");
        }
    }

    @Test
    void shouldAnswerHostileReadsBrieflyAndKeepWorking() throws Exception {
        try (QuorumNodes<MetadataQuorum> nodes =
                        QuorumNodes.ofQuorums(3, root, 1000).startAll();
                RaftClient client = MetadataQuorum.newClient(new QuorumSettings(
                        9,
                        nodes.voters(),
                        root.resolve("none"),
                        QuorumSettings.DEFAULT_ELECTION_TIMEOUT,
                        QuorumSettings.DEFAULT_REQUEST_TIMEOUT,
                        1,
                        QuorumSettings.DEFAULT_SEGMENT_BYTES,
                        null))) {
            nodes.awaitLeader();
            nodes.node(1).propose(List.of(topic("kept", 1)));
            // Read-only requests reach a voter's state machine from anyone who reaches its port: garbage is a
            // barrier, a fetch asking for a wait of days or an index below any is answered within the voter's cap.
            byte[] garbage = new byte[100_000];
            new java.util.Random(7).nextBytes(garbage);
            assertThat(client.io()
                            .sendReadOnly(Message.valueOf(ByteString.copyFrom(garbage)))
                            .isSuccess())
                    .isTrue();
            long started = System.nanoTime();
            MetadataFetch.Reply everything = MetadataFetch.parseReply(client.io()
                    .sendReadOnly(MetadataFetch.request(new MetadataFetch.Request(2, -5, Integer.MAX_VALUE)))
                    .getMessage());
            assertThat(everything.wholeImage()).isTrue();
            assertThat(MetadataImage.EMPTY.applyAll(everything.changes().get(0)).topic("kept"))
                    .isNotNull();
            MetadataFetch.Reply nothing = MetadataFetch.parseReply(client.io()
                    .sendReadOnly(
                            MetadataFetch.request(new MetadataFetch.Request(2, Long.MAX_VALUE, Integer.MAX_VALUE)))
                    .getMessage());
            assertThat(nothing.changes()).isEmpty();
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(10_000);

            nodes.node(2).propose(List.of(topic("after", 1)));
            nodes.awaitImages(i -> i.topics().size() == 2 && i.topic("after") != null, "kept and after only");
        }
    }

    @Test
    void shouldWaitForAChangeThatIsSlowToApplyAsLongAsTheCallerAllows() throws Exception {
        // Applying a topic of thousands of partitions creates their logs on the applying thread: slow here.
        java.util.function.BiConsumer<MetadataImage, MetadataImage> slowTopics = (before, after) -> {
            for (String name : List.of("slow-1", "slow-2")) {
                if (after.topic(name) != null && before.topic(name) == null) {
                    sleepQuietly(5_000);
                }
            }
        };
        try (QuorumNodes<MetadataQuorum> nodes =
                new QuorumNodes<>(3, root, 1000, s -> MetadataQuorum.start(s, slowTopics), q -> q).startAll()) {
            MetadataQuorum leader = nodes.node(nodes.awaitLeader());

            assertThatThrownBy(() -> leader.propose(List.of(topic("slow-1", 1))))
                    .as("past twice the quorum's request timeout (2 s)")
                    .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            MetadataImage image = leader.propose(List.of(topic("slow-2", 1)), 20_000);

            assertThat(image.topic("slow-2")).isNotNull();
            assertThat(image.topic("slow-1"))
                    .as("the timed-out change committed all the same")
                    .isNotNull();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MetadataRecord.Topic topic(String name, int partitions) {
        return new MetadataRecord.Topic(name, Uuid.randomUuid(), partitions);
    }

    private static Map<String, TopicImage> byName(MetadataImage image) {
        Map<String, TopicImage> topics = new java.util.TreeMap<>();
        for (TopicImage topic : image.topics()) {
            topics.put(topic.name(), topic);
        }
        return topics;
    }

    private static List<Path> snapshotFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("snapshot."))
                    .filter(f -> !f.toString().endsWith(".md5"))
                    .toList();
        }
    }
}
