package io.piste.broker.handler;

import static io.piste.broker.handler.RecordedRequest.records;
import static io.piste.broker.partition.TestPartitions.appendAboveHighWatermark;
import static io.piste.broker.partition.TestPartitions.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.piste.broker.fetchsession.FetchSessionCache;
import io.piste.broker.fetchsession.FetchSessions;
import io.piste.broker.partition.Partition;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KIP-392 on a follower: a consumer's fetch from v11 on (it names its rack) reads a partition this node follows, up
 * to this replica's high watermark; an older consumer fetch, or a follower's, is refused NOT_LEADER_OR_FOLLOWER.
 */
class FetchFromFollowerTest extends OnePartitionHandlerTest {

    private static final Uuid FOLLOWED_ID = Uuid.randomUuid();

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final FetchSessions sessions =
            new FetchSessions(new FetchSessionCache(10, 60_000, new Random(1)), System::currentTimeMillis);
    private Partition followed;

    @BeforeEach
    void follow() throws Exception {
        followed = partitions.open("f", 0);
        lookup.addFollowed(FOLLOWED_ID, followed);
        followed.asFollower().followHighWatermark(0);
    }

    @AfterEach
    void closeLoop() {
        loop.finishAndReleaseAll();
    }

    private PartitionData fetch(short version, int replicaId) {
        FetchRequestData request = new FetchRequestData()
                .setReplicaId(replicaId)
                .setMaxWaitMs(0)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setSessionEpoch(-1)
                .setRackId("rack-a")
                .setTopics(List.of(new FetchTopic()
                        .setTopic("f")
                        .setPartitions(List.of(new FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(0)
                                .setPartitionMaxBytes(1 << 20)))));
        RecordedRequest recorded = new RecordedRequest(ApiKeys.FETCH, version, request, loop.eventLoop());
        new FetchHandler(lookup, sessions, new FetchPurgatory(10, 10)).handle(recorded.context());
        FetchResponseData response = recorded.answerNow();
        return response.responses().get(0).partitions().get(0);
    }

    @Test
    void aConsumerNamingItsRackReadsAFollowerUpToItsHighWatermark() throws Exception {
        appendAboveHighWatermark(followed, batch("a"));
        appendAboveHighWatermark(followed, batch("b"));
        followed.asFollower().followHighWatermark(1); // the leader's, as the last fetch told it

        PartitionData data = fetch(FetchHandler.FROM_FOLLOWER_VERSION, -1);

        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
        assertThat(data.highWatermark()).isEqualTo(1);
        assertThat(records(data.records()).batches())
                .as("only what the follower knows is committed")
                .hasSize(1);
        assertThat(data.preferredReadReplica()).isEqualTo(-1);
    }

    @Test
    void anOlderConsumerFetchOrAFollowersIsRefused() throws Exception {
        appendAboveHighWatermark(followed, batch("a"));
        followed.asFollower().followHighWatermark(1);

        assertThat(Errors.forCode(fetch((short) (FetchHandler.FROM_FOLLOWER_VERSION - 1), -1)
                        .errorCode()))
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(Errors.forCode(fetch((short) 12, 2).errorCode()))
                .as("a replica fetches from the leader")
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }
}
