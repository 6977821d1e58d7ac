package io.piste.broker.fetchsession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchMetadata;
import org.junit.jupiter.api.Test;

class FetchSessionsTest {

    private static final short V12 = 12;
    private static final short V13 = 13;
    private static final String TOPIC = "t";
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    private final AtomicLong clockMs = new AtomicLong(1_000);
    private final FetchSessionCache cache = new FetchSessionCache(10, 120_000, new Random(42));
    private final FetchSessions sessions = new FetchSessions(cache, clockMs::get);

    /** What the log says about a partition when it is read. */
    private record Read(long highWatermark, long logStartOffset, boolean records, Errors error) {
        static Read quiet(long highWatermark) {
            return new Read(highWatermark, 0, false, Errors.NONE);
        }

        static Read withRecords(long highWatermark) {
            return new Read(highWatermark, 0, true, Errors.NONE);
        }
    }

    private static FetchRequestData request(int sessionId, int epoch, int... partitions) {
        FetchTopic topic = new FetchTopic().setTopic(TOPIC).setTopicId(TOPIC_ID);
        for (int p : partitions) {
            topic.partitions().add(partition(p, 100 + p));
        }
        FetchRequestData request = new FetchRequestData()
                .setSessionId(sessionId)
                .setSessionEpoch(epoch)
                .setMaxBytes(1 << 20);
        if (partitions.length > 0) {
            request.topics().add(topic);
        }
        return request;
    }

    private static FetchPartition partition(int p, long fetchOffset) {
        return new FetchPartition().setPartition(p).setFetchOffset(fetchOffset).setPartitionMaxBytes(1 << 16);
    }

    private static ForgottenTopic forget(int... partitions) {
        ForgottenTopic topic = new ForgottenTopic().setTopic(TOPIC).setTopicId(TOPIC_ID);
        for (int p : partitions) {
            topic.partitions().add(p);
        }
        return topic;
    }

    /** Reads the context's partitions the way FetchReader lays them out: one topic entry per run of a topic. */
    private static FetchResponseData read(FetchContext context, Function<PartitionFetch, Read> log) {
        FetchResponseData response = new FetchResponseData();
        FetchableTopicResponse topic = null;
        for (PartitionFetch p : context.partitions()) {
            if (topic == null) {
                topic = new FetchableTopicResponse().setTopic(TOPIC).setTopicId(TOPIC_ID);
                response.responses().add(topic);
            }
            Read r = log.apply(p);
            topic.partitions()
                    .add(new PartitionData()
                            .setPartitionIndex(p.partition())
                            .setHighWatermark(r.highWatermark())
                            .setLastStableOffset(r.highWatermark())
                            .setLogStartOffset(r.logStartOffset())
                            .setErrorCode(r.error().code())
                            .setRecords(
                                    r.records()
                                            ? MemoryRecords.withRecords(
                                                    Compression.NONE, new SimpleRecord("v".getBytes()))
                                            : MemoryRecords.EMPTY));
        }
        return response;
    }

    private FetchResponseData fetch(FetchRequestData request, short version, Function<PartitionFetch, Read> log) {
        FetchContext context = sessions.newContext(request, version, false);
        return context.updateAndGenerateResponse(read(context, log));
    }

    private static List<Integer> partitionsIn(FetchResponseData response) {
        List<Integer> partitions = new ArrayList<>();
        for (FetchableTopicResponse topic : response.responses()) {
            for (PartitionData data : topic.partitions()) {
                partitions.add(data.partitionIndex());
            }
        }
        return partitions;
    }

    private static List<Integer> order(FetchSession session) {
        List<Integer> partitions = new ArrayList<>();
        for (SessionPartitionKey key : session.keys()) {
            partitions.add(key.partition());
        }
        return partitions;
    }

    private int newSession(short version, int... partitions) {
        FetchResponseData response =
                fetch(request(0, FetchMetadata.INITIAL_EPOCH, partitions), version, p -> Read.quiet(500));
        assertThat(response.errorCode()).isZero();
        assertThat(response.sessionId()).isNotZero();
        return response.sessionId();
    }

    @Test
    void shouldCreateASessionOnAFullFetchWithEpochZero() {
        int id = newSession(V12, 0, 1, 2);
        FetchSession session = cache.get(id);
        assertThat(session).isNotNull();
        assertThat(session.epoch()).isEqualTo(1);
        assertThat(order(session)).containsExactly(0, 1, 2);
        assertThat(session.partition(SessionPartitionKey.of(false, null, TOPIC, 1))
                        .fetchOffset())
                .isEqualTo(101);
    }

    @Test
    void shouldCreateTheSessionOnlyWhenTheResponseIsMade() {
        FetchContext context = sessions.newContext(request(0, 0, 0), V12, false);
        assertThat(cache.size())
                .as("a delayed fetch creates its session when it completes")
                .isZero();
        FetchResponseData response = context.updateAndGenerateResponse(read(context, p -> Read.quiet(5)));
        assertThat(cache.get(response.sessionId())).isNotNull();
    }

    @Test
    void shouldStaySessionlessWithFinalEpochOrBeforeVersion7() {
        FetchResponseData finalEpoch = fetch(request(0, FetchMetadata.FINAL_EPOCH, 0, 1), V12, p -> Read.quiet(5));
        assertThat(finalEpoch.sessionId()).isZero();
        assertThat(partitionsIn(finalEpoch)).containsExactly(0, 1);
        FetchResponseData v6 = fetch(request(0, 0, 0, 1), (short) 6, p -> Read.quiet(5));
        assertThat(v6.sessionId()).isZero();
        FetchResponseData v6Garbage = fetch(request(12345, 77, 0), (short) 6, p -> Read.quiet(5));
        assertThat(v6Garbage.errorCode()).isZero();
        assertThat(v6Garbage.sessionId()).isZero();
        assertThat(cache.size()).isZero();
    }

    @Test
    void shouldAnswerIncrementalFetchesWithOnlyPartitionsThatChanged() {
        int id = newSession(V12, 0, 1, 2, 3);
        Map<Integer, Read> reads = Map.of(
                0, Read.withRecords(500),
                1, Read.quiet(600),
                2, Read.quiet(500),
                3, new Read(500, 7, false, Errors.NONE));
        FetchResponseData first = fetch(request(id, 1), V12, p -> reads.get(p.partition()));
        assertThat(first.sessionId()).isEqualTo(id);
        assertThat(partitionsIn(first))
                .as("records, new high watermark, new log start offset")
                .containsExactlyInAnyOrder(0, 1, 3);
        FetchResponseData second = fetch(
                request(id, 2),
                V12,
                p -> reads.get(p.partition()).records() ? Read.quiet(500) : reads.get(p.partition()));
        assertThat(partitionsIn(second)).as("nothing new").isEmpty();
        assertThat(second.responses()).isEmpty();
        assertThat(second.sessionId()).isEqualTo(id);
        assertThat(cache.get(id).epoch()).isEqualTo(3);
    }

    @Test
    void shouldReadUnmentionedPartitionsFromTheirLastFetchOffsetAndUpdateMentionedOnes() {
        int id = newSession(V12, 0, 1);
        FetchRequestData request = request(id, 1);
        request.topics().add(new FetchTopic().setTopic(TOPIC).setPartitions(List.of(partition(1, 42))));
        FetchContext context = sessions.newContext(request, V12, false);
        assertThat(context.partitions())
                .extracting(PartitionFetch::partition, PartitionFetch::fetchOffset)
                .containsExactly(tuple(0, 100L), tuple(1, 42L));
        context.updateAndGenerateResponse(read(context, p -> Read.withRecords(500)));
        // The broker never advances an offset itself: a client that does not re-send a partition reads it again
        // from the same offset (FetchSessionHandler re-sends a partition whenever its position moved).
        FetchContext next = sessions.newContext(request(id, 2), V12, false);
        assertThat(next.partitions()).extracting(PartitionFetch::fetchOffset).containsExactlyInAnyOrder(100L, 42L);
    }

    @Test
    void shouldAddPartitionsAndAlwaysReportThemOnce() {
        int id = newSession(V12, 0);
        FetchRequestData request = request(id, 1, 5);
        FetchResponseData response = fetch(request, V12, p -> Read.quiet(500));
        assertThat(partitionsIn(response))
                .as("an added partition is reported even with nothing new")
                .containsExactly(5);
        assertThat(partitionsIn(fetch(request(id, 2), V12, p -> Read.quiet(500))))
                .isEmpty();
    }

    @Test
    void shouldRemoveForgottenPartitionsAndIgnoreOnesNeverAdded() {
        int id = newSession(V12, 0, 1, 2);
        FetchRequestData request = request(id, 1);
        request.forgottenTopicsData().add(forget(1, 9, -3));
        request.forgottenTopicsData().add(new ForgottenTopic().setTopic("never").setPartitions(List.of(0)));
        FetchContext context = sessions.newContext(request, V12, false);
        assertThat(context.partitions()).extracting(PartitionFetch::partition).containsExactly(0, 2);
        assertThat(order(cache.get(id))).containsExactly(0, 2);
    }

    @Test
    void shouldCloseTheSessionWhenEveryPartitionIsForgotten() {
        int id = newSession(V12, 0, 1);
        FetchRequestData request = request(id, 1);
        request.forgottenTopicsData().add(forget(0, 1));
        FetchResponseData response = fetch(request, V12, p -> Read.quiet(5));
        assertThat(response.sessionId()).isZero();
        assertThat(cache.get(id)).isNull();
    }

    @Test
    void shouldRejectUnknownSessionsAndWrongEpochsWithSessionIdZero() {
        int id = newSession(V12, 0);
        FetchResponseData unknown = fetch(request(id + 1, 1, 0), V12, p -> Read.quiet(5));
        assertThat(unknown.errorCode()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
        assertThat(unknown.sessionId()).isZero();
        assertThat(unknown.responses()).isEmpty();
        for (int epoch : new int[] {0 + 2, 7, -5, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            FetchResponseData wrong = fetch(request(id, epoch, 0), V12, p -> Read.quiet(5));
            assertThat(wrong.errorCode()).as("epoch %d", epoch).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
            assertThat(wrong.sessionId()).isZero();
        }
        FetchResponseData noSession = fetch(request(0, 3, 0), V12, p -> Read.quiet(5));
        assertThat(noSession.errorCode()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
        assertThat(cache.get(id).epoch())
                .as("errors leave the session as it was")
                .isEqualTo(1);
        assertThat(fetch(request(id, 1), V12, p -> Read.quiet(500)).errorCode()).isZero();
    }

    @Test
    void shouldCloseASessionWithFinalEpochAndAnswerItsPartitionsSessionless() {
        int id = newSession(V12, 0, 1);
        FetchResponseData response = fetch(request(id, FetchMetadata.FINAL_EPOCH, 3), V12, p -> Read.quiet(5));
        assertThat(cache.get(id)).isNull();
        assertThat(response.sessionId()).isZero();
        assertThat(partitionsIn(response)).containsExactly(3);
    }

    @Test
    void shouldReplaceASessionNamedInAFullFetchWithEpochZero() {
        int id = newSession(V12, 0, 1);
        FetchResponseData response = fetch(request(id, FetchMetadata.INITIAL_EPOCH, 2), V12, p -> Read.quiet(5));
        assertThat(cache.get(id)).isNull();
        assertThat(response.sessionId()).isNotZero().isNotEqualTo(id);
        assertThat(order(cache.get(response.sessionId()))).containsExactly(2);
    }

    @Test
    void shouldRefuseToMixTopicIdsAndNamesInOneSession() {
        int byId = newSession(V13, 0);
        assertThat(fetch(request(byId, 1), V12, p -> Read.quiet(5)).errorCode())
                .isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR.code());
        int byName = newSession(V12, 0);
        assertThat(fetch(request(byName, 1), V13, p -> Read.quiet(5)).errorCode())
                .isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR.code());
    }

    @Test
    void shouldKeyTopicIdSessionsByIdSoThatARecreatedTopicIsAnotherPartition() {
        int id = newSession(V13, 0);
        Uuid recreated = Uuid.randomUuid();
        FetchRequestData request = request(id, 1);
        request.topics().add(new FetchTopic().setTopicId(recreated).setPartitions(List.of(partition(0, 0))));
        request.forgottenTopicsData()
                .add(new ForgottenTopic().setTopicId(TOPIC_ID).setPartitions(List.of(0)));
        FetchContext context = sessions.newContext(request, V13, false);
        assertThat(context.partitions()).extracting(PartitionFetch::topicId).containsExactly(recreated);
        assertThat(context.partitions().get(0).topic())
                .as("resolved by id when read")
                .isNull();
    }

    @Test
    void shouldMovePartitionsThatReturnedRecordsToTheEndOfTheReadOrder() {
        int id = newSession(V12, 0, 1, 2, 3);
        fetch(
                request(id, 1),
                V12,
                p -> p.partition() == 0 || p.partition() == 2 ? Read.withRecords(500) : Read.quiet(500));
        assertThat(order(cache.get(id))).containsExactly(1, 3, 0, 2);
        FetchContext next = sessions.newContext(request(id, 2), V12, false);
        assertThat(next.partitions()).extracting(PartitionFetch::partition).containsExactly(1, 3, 0, 2);
    }

    @Test
    void shouldReportAPartitionAgainWhenItsErrorIsGone() {
        int id = newSession(V12, 0, 1);
        FetchResponseData failed = fetch(
                request(id, 1),
                V12,
                p -> p.partition() == 0 ? new Read(-1, -1, false, Errors.NOT_LEADER_OR_FOLLOWER) : Read.quiet(500));
        assertThat(partitionsIn(failed)).containsExactly(0);
        FetchResponseData healed = fetch(request(id, 2), V12, p -> Read.quiet(500));
        assertThat(partitionsIn(healed)).containsExactly(0);
        assertThat(partitionsIn(fetch(request(id, 3), V12, p -> Read.quiet(500))))
                .isEmpty();
    }

    @Test
    void shouldAnswerADelayedFetchOfASupersededSessionWithInvalidEpoch() {
        int id = newSession(V12, 0);
        FetchContext parked = sessions.newContext(request(id, 1), V12, false);
        FetchResponseData later = fetch(request(id, 2), V12, p -> Read.quiet(500));
        assertThat(later.errorCode()).isZero();
        FetchResponseData completed = parked.updateAndGenerateResponse(read(parked, p -> Read.withRecords(600)));
        assertThat(completed.errorCode()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
        assertThat(completed.sessionId()).isZero();
        assertThat(completed.responses()).isEmpty();
    }

    @Test
    void shouldAnswerADelayedFetchOfAnEvictedSessionAndLetTheNextFetchFindItGone() {
        int id = newSession(V12, 0);
        FetchContext parked = sessions.newContext(request(id, 1), V12, false);
        cache.remove(id);
        FetchResponseData completed = parked.updateAndGenerateResponse(read(parked, p -> Read.withRecords(600)));
        assertThat(completed.errorCode()).isZero();
        assertThat(partitionsIn(completed)).containsExactly(0);
        assertThat(fetch(request(id, 2), V12, p -> Read.quiet(5)).errorCode())
                .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
    }

    @Test
    void shouldAnswerSessionlessWhenTheCacheIsFull() {
        FetchSessions full = new FetchSessions(new FetchSessionCache(1, 120_000, new Random(1)), clockMs::get);
        FetchContext first = full.newContext(request(0, 0, 0), V12, false);
        assertThat(first.updateAndGenerateResponse(read(first, p -> Read.quiet(5)))
                        .sessionId())
                .isNotZero();
        FetchContext second = full.newContext(request(0, 0, 0), V12, false);
        FetchResponseData response = second.updateAndGenerateResponse(read(second, p -> Read.quiet(5)));
        assertThat(response.sessionId()).isZero();
        assertThat(partitionsIn(response)).containsExactly(0);
    }

    @Test
    void shouldSurviveHugeAndDuplicatedPartitionLists() {
        int[] many = new int[50_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = i % 25_000;
        }
        int id = newSession(V12, many);
        assertThat(cache.get(id).size()).isEqualTo(25_000);
        FetchRequestData request = request(id, 1, many);
        request.forgottenTopicsData().add(forget(many));
        FetchResponseData response = fetch(request, V12, p -> Read.quiet(5));
        assertThat(response.sessionId())
                .as("everything forgotten: session-less")
                .isZero();
        assertThat(cache.size()).isZero();
    }

    @Test
    void shouldLetOnlyOneOfConcurrentRequestsWithTheSameEpochUseTheSession() throws Exception {
        int id = newSession(V12, 0, 1);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Short>> answers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return fetch(request(id, 1), V12, p -> Read.quiet(500)).errorCode();
                }));
            }
            start.countDown();
            int ok = 0;
            for (Future<Short> answer : answers) {
                short code = answer.get(10, TimeUnit.SECONDS);
                if (code == Errors.NONE.code()) {
                    ok++;
                } else {
                    assertThat(code).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
                }
            }
            assertThat(ok).isEqualTo(1);
            assertThat(cache.get(id).epoch()).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldGiveDistinctIdsToSessionsCreatedConcurrently() throws Exception {
        FetchSessions many = new FetchSessions(new FetchSessionCache(1_000, 120_000, new Random(7)), clockMs::get);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> ids = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                ids.add(pool.submit(() -> {
                    FetchContext context = many.newContext(request(0, 0, 0), V12, false);
                    return context.updateAndGenerateResponse(read(context, p -> Read.quiet(5)))
                            .sessionId();
                }));
            }
            Set<Integer> distinct = new HashSet<>();
            for (Future<Integer> id : ids) {
                distinct.add(id.get(10, TimeUnit.SECONDS));
            }
            assertThat(distinct).hasSize(400).doesNotContain(0);
            assertThat(many.cache().size()).isEqualTo(400);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldWrapTheEpochAfterIntegerMaxValueToOne() {
        assertThat(FetchMetadata.nextEpoch(Integer.MAX_VALUE)).isEqualTo(1);
        assertThat(FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH)).isEqualTo(1);
    }

    @Test
    void shouldKeepAFollowersLogStartOffsetForThePartitionsItsIncrementalFetchesOmit() {
        FetchRequestData full = request(0, FetchMetadata.INITIAL_EPOCH, 0, 1);
        full.topics().get(0).partitions().forEach(p -> p.setLogStartOffset(40 + p.partition()));
        FetchContext first = sessions.newContext(full, V13, true);
        FetchResponseData opened = first.updateAndGenerateResponse(read(first, p -> Read.quiet(500)));
        assertThat(first.partitions())
                .extracting(PartitionFetch::logStartOffset)
                .containsExactly(40L, 41L);

        // The next fetch names no partition: each is read from the session, with the log start it last sent.
        FetchContext incremental = sessions.newContext(request(opened.sessionId(), 1), V13, true);
        assertThat(incremental.partitions())
                .extracting(PartitionFetch::partition, PartitionFetch::logStartOffset)
                .containsExactly(tuple(0, 40L), tuple(1, 41L));
    }
}
