package io.piste.broker.handler;

import static io.piste.broker.partition.TestPartitions.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.piste.broker.fetchsession.FetchSessionCache;
import io.piste.broker.fetchsession.FetchSessions;
import io.piste.broker.fetchsession.PartitionFetch;
import io.piste.broker.metadata.PartitionImage;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ReplicaState;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KIP-1166 on the leader: a follower that tells the high watermark it knows (Fetch v18) is answered as soon as the
 * leader's is ahead, at once or from the purgatory, rather than at {@code replica.fetch.wait.max.ms}; one that tells
 * nothing waits as before. Partition "t-0" is led by node 1 with followers 2 and 3, both in sync.
 */
class FollowerHighWatermarkFetchTest extends OnePartitionHandlerTest {

    private static final short VERSION = 18;
    private static final int MAX_WAIT_MS = 500;

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final FetchSessions sessions =
            new FetchSessions(new FetchSessionCache(10, 60_000, new Random(1)), System::currentTimeMillis);
    private final FetchPurgatory purgatory = new FetchPurgatory(10, 10);

    @BeforeEach
    void lead() {
        partition.lead(new PartitionImage(List.of(1, 2, 3), 1, 0, 0, List.of(1, 2, 3), List.of()), 0);
        loop.freezeTime();
    }

    @AfterEach
    void closeLoop() {
        loop.finishAndReleaseAll();
    }

    /** Follower {@code replicaId}'s fetch of t-0 from {@code fetchOffset}, knowing {@code knownHighWatermark}. */
    private RecordedRequest follow(int replicaId, long fetchOffset, long knownHighWatermark) {
        FetchRequestData request = new FetchRequestData()
                .setReplicaState(new ReplicaState().setReplicaId(replicaId).setReplicaEpoch(1))
                .setMaxWaitMs(MAX_WAIT_MS)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setSessionEpoch(-1)
                .setTopics(List.of(new FetchTopic()
                        .setTopicId(TOPIC_ID)
                        .setPartitions(List.of(new FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(fetchOffset)
                                .setPartitionMaxBytes(1 << 20)
                                .setHighWatermark(knownHighWatermark)))));
        RecordedRequest recorded = new RecordedRequest(ApiKeys.FETCH, VERSION, request, loop.eventLoop());
        new FetchHandler(lookup, sessions, purgatory).handle(recorded.context());
        return recorded;
    }

    private static PartitionData only(RecordedRequest request) {
        FetchResponseData response = request.answerNow();
        return response.responses().get(0).partitions().get(0);
    }

    private long appendOne() throws Exception {
        return partition.appendRecordsToLeader(batch("a").buffer()).lastOffset() + 1;
    }

    @Test
    void aFollowerThatKnowsAnOlderHighWatermarkIsAnsweredAtOnceWithoutRecords() throws Exception {
        long end = appendOne();
        // Follower 2 has the record, follower 3 not yet: the high watermark stays. Knowing none, 2 learns it at once.
        assertThat(only(follow(2, end, -1)).highWatermark()).isZero();

        RecordedRequest caughtUp = follow(3, end, 0); // its fetch moves the high watermark past what it knows

        assertThat(partition.highWatermark()).isEqualTo(end);
        assertThat(caughtUp.answerCount()).as("answered without waiting").isEqualTo(1);
        PartitionData data = only(caughtUp);
        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
        assertThat(data.highWatermark()).isEqualTo(end);
        assertThat(data.records().sizeInBytes()).isZero();
        assertThat(purgatory.parkedCount()).isZero();
    }

    @Test
    void aParkedFollowerFetchAnswersWhenTheHighWatermarkMovesPastWhatItKnows() throws Exception {
        long end = appendOne();
        RecordedRequest parked = follow(2, end, 0); // has the record; follower 3 does not: nothing new to tell
        assertThat(parked.answerCount()).isZero();
        assertThat(purgatory.parkedCount()).isEqualTo(1);

        follow(3, end, 0).answerNow(); // the high watermark moves
        loop.runPendingTasks();

        assertThat(parked.answerCount())
                .as("answered before max.wait.ms, with the new high watermark")
                .isEqualTo(1);
        assertThat(only(parked).highWatermark()).isEqualTo(end);
        assertThat(purgatory.parkedCount()).isZero();
    }

    @Test
    void aFollowerThatKnowsTheHighWatermarkOrTellsNothingWaitsForData() throws Exception {
        long end = appendOne();
        follow(2, end, -1);
        follow(3, end, -1);
        assertThat(partition.highWatermark()).isEqualTo(end);

        RecordedRequest knowing = follow(2, end, end);
        RecordedRequest older = follow(3, end, PartitionFetch.NOT_TOLD);
        loop.runPendingTasks();

        assertThat(knowing.answerCount()).isZero();
        assertThat(older.answerCount())
                .as("a follower before v18 tells nothing")
                .isZero();
        assertThat(purgatory.parkedCount()).isEqualTo(2);
    }
}
