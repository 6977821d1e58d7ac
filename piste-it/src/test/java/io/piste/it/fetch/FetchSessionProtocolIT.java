package io.piste.it.fetch;

import static io.piste.it.fetch.RawFetcher.BY_NAME;
import static io.piste.it.fetch.RawFetcher.LATEST;
import static io.piste.it.fetch.RawFetcher.forget;
import static io.piste.it.fetch.RawFetcher.partitions;
import static io.piste.it.fetch.RawFetcher.recordBytes;
import static io.piste.it.fetch.RawFetcher.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Produce;
import io.piste.it.support.RawConnection.Outcome;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fetch sessions on the wire, with requests a test composes: what an incremental response carries and leaves out,
 * how the session's offsets move, and Kafka's error codes for a session used wrongly.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FetchSessionProtocolIT {
    private static final int PARTITIONS = 4;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    private static KafkaProducer<String, String> producer;

    @BeforeAll
    static void startProducer() {
        producer = Clients.producer(BROKER.bootstrapServers());
    }

    @AfterAll
    static void stopProducer() {
        producer.close(Duration.ofSeconds(10));
    }

    private static Uuid createTopic(final String topic) throws Exception {
        Clients.createTopic(BROKER.bootstrapServers(), topic, PARTITIONS);
        return Clients.describeTopic(BROKER.bootstrapServers(), topic).topicId();
    }

    private static void produce(final String topic, final int partition, final int count) {
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new ProducerRecord<>(topic, partition, "k", "v" + i));
        }
        Produce.acked(producer, records);
    }

    @Test
    void shouldOmitUnchangedPartitionsAndReportChangedOnes() throws Exception {
        final String topic = "incremental";
        final Uuid id = createTopic(topic);
        produce(topic, 0, 3);
        produce(topic, 1, 3);
        try (RawFetcher fetcher = new RawFetcher(BROKER.broker().port())) {
            final FetchResponseData full = fetcher.fetch(LATEST, request(0, 0, topic, id, 0, 0, 1, 0, 2, 0, 3, 0));
            assertThat(full.errorCode()).isZero();
            final int session = full.sessionId();
            assertThat(session)
                    .as("a full fetch with epoch 0 creates a session")
                    .isNotZero();
            assertThat(partitions(full)).containsOnlyKeys(0, 1, 2, 3);
            assertThat(recordBytes(partitions(full).get(0))).isPositive();
            assertThat(partitions(full).get(0).highWatermark()).isEqualTo(3);

            // The client consumed p0 and p1 and says so; nothing else changed: an empty response.
            final FetchResponseData caughtUp = fetcher.fetch(LATEST, request(session, 1, topic, id, 0, 3, 1, 3));
            assertThat(caughtUp.errorCode()).isZero();
            assertThat(caughtUp.sessionId()).isEqualTo(session);
            assertThat(caughtUp.responses()).as("no partition has anything new").isEmpty();

            produce(topic, 2, 2);
            final FetchResponseData changed = fetcher.fetch(LATEST, request(session, 2, topic, id));
            assertThat(partitions(changed))
                    .as("only the partition with new records")
                    .containsOnlyKeys(2);
            assertThat(partitions(changed).get(2).highWatermark()).isEqualTo(2);
            assertThat(recordBytes(partitions(changed).get(2))).isPositive();

            // The client did not send p2's new position: the session still reads p2 from offset 0, as Kafka's
            // broker does (the consumer re-sends a partition whenever its position moved).
            final FetchResponseData again = fetcher.fetch(LATEST, request(session, 3, topic, id));
            assertThat(partitions(again)).containsOnlyKeys(2);
            assertThat(recordBytes(partitions(again).get(2)))
                    .isEqualTo(recordBytes(partitions(changed).get(2)));

            final FetchResponseData moved = fetcher.fetch(LATEST, request(session, 4, topic, id, 2, 2));
            assertThat(moved.responses()).isEmpty();

            // A forgotten partition is no longer read or reported.
            final FetchResponseData forgotten =
                    fetcher.fetch(LATEST, forget(request(session, 5, topic, id), topic, id, 3));
            assertThat(forgotten.responses()).isEmpty();
            produce(topic, 3, 1);
            assertThat(fetcher.fetch(LATEST, request(session, 6, topic, id)).responses())
                    .isEmpty();

            // A long poll in the session waits, then answers with just the partition that got data.
            final FetchRequestData longPoll = request(session, 7, topic, id).setMaxWaitMs(10_000);
            fetcher.send(LATEST, longPoll);
            assertThat(fetcher.awaitRaw(Duration.ofMillis(300)))
                    .as("nothing new yet: the fetch waits")
                    .isEqualTo(Outcome.NOTHING);
            produce(topic, 1, 1);
            final FetchResponseData woken = fetcher.receive();
            assertThat(woken.sessionId()).isEqualTo(session);
            assertThat(partitions(woken)).containsOnlyKeys(1);
            assertThat(partitions(woken).get(1).highWatermark()).isEqualTo(4);

            // Closing the session (epoch -1) answers its partitions session-less; the id is then unknown.
            final FetchResponseData closed =
                    fetcher.fetch(LATEST, request(session, FetchMetadata.FINAL_EPOCH, topic, id, 0, 0));
            assertThat(closed.sessionId()).isZero();
            assertThat(partitions(closed)).containsOnlyKeys(0);
            assertThat(fetcher.fetch(LATEST, request(session, 8, topic, id)).errorCode())
                    .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
        }
    }

    @Test
    void shouldAnswerMisusedSessionsWithKafkaErrorCodes() throws Exception {
        final String topic = "errors";
        final Uuid id = createTopic(topic);
        produce(topic, 0, 1);
        try (RawFetcher fetcher = new RawFetcher(BROKER.broker().port())) {
            final FetchResponseData unknown = fetcher.fetch(LATEST, request(123_456_789, 1, topic, id, 0, 0));
            assertThat(unknown.errorCode()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
            assertThat(unknown.sessionId()).isZero();
            assertThat(unknown.responses()).isEmpty();

            final int byName = fetcher.fetch(BY_NAME, request(0, 0, topic, Uuid.ZERO_UUID, 0, 0, 1, 0))
                    .sessionId();
            assertThat(byName).isNotZero();
            for (final int epoch : new int[] {2, 0x7fffffff, -7}) {
                final FetchResponseData wrong = fetcher.fetch(BY_NAME, request(byName, epoch, topic, Uuid.ZERO_UUID));
                assertThat(wrong.errorCode())
                        .as("epoch %d", epoch)
                        .isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
                assertThat(wrong.sessionId()).isZero();
            }
            assertThat(fetcher.fetch(LATEST, request(byName, 1, topic, id)).errorCode())
                    .as("a session by topic names used with topic ids")
                    .isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR.code());
            final FetchResponseData stillThere = fetcher.fetch(BY_NAME, request(byName, 1, topic, Uuid.ZERO_UUID));
            assertThat(stillThere.errorCode())
                    .as("errors leave the session usable")
                    .isZero();
            assertThat(stillThere.sessionId()).isEqualTo(byName);

            // Caught up on the real topic (offset 1 = its high watermark), so only the unknown topic is reported.
            final int byId =
                    fetcher.fetch(LATEST, request(0, 0, topic, id, 0, 1)).sessionId();
            final Uuid missing = Uuid.randomUuid();
            final FetchResponseData unknownTopic = fetcher.fetch(LATEST, request(byId, 1, "", missing, 0, 0));
            assertThat(unknownTopic.errorCode()).isZero();
            assertThat(unknownTopic.responses()).hasSize(1);
            assertThat(unknownTopic.responses().get(0).topicId()).isEqualTo(missing);
            assertThat(partitions(unknownTopic).get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
            final FetchResponseData repeated = fetcher.fetch(LATEST, request(byId, 2, topic, id));
            assertThat(repeated.responses())
                    .as("a partition in error is reported in every response")
                    .hasSize(1);
            assertThat(repeated.responses().get(0).topicId()).isEqualTo(missing);
            final FetchResponseData neverAdded =
                    fetcher.fetch(LATEST, forget(request(byId, 3, topic, id), "", missing, 5, -1, 0x7fffffff));
            assertThat(neverAdded.errorCode())
                    .as("forgetting partitions never added is harmless")
                    .isZero();
        }
    }

    @Test
    void shouldStaySessionlessForLibrdkafkaStyleAndOldFetches() throws Exception {
        final String topic = "sessionless";
        final Uuid id = createTopic(topic);
        produce(topic, 0, 2);
        try (RawFetcher fetcher = new RawFetcher(BROKER.broker().port())) {
            final int before = BROKER.broker().fetchSessionCount();
            final FetchResponseData finalEpoch =
                    fetcher.fetch(LATEST, request(0, FetchMetadata.FINAL_EPOCH, topic, id, 0, 0, 1, 0));
            assertThat(finalEpoch.sessionId()).isZero();
            assertThat(partitions(finalEpoch)).containsOnlyKeys(0, 1);
            final FetchResponseData v6 = fetcher.fetch((short) 6, request(0, 0, topic, id, 0, 0));
            assertThat(v6.errorCode()).isZero();
            assertThat(partitions(v6)).containsOnlyKeys(0);
            assertThat(BROKER.broker().fetchSessionCount())
                    .as("no session created")
                    .isEqualTo(before);

            // A huge partition list, mostly partitions that do not exist, is answered, not a crash.
            final long[] many = new long[2 * 20_000];
            for (int p = 0; p < 20_000; p++) {
                many[2 * p] = p;
            }
            final FetchResponseData huge = fetcher.fetch(LATEST, request(0, 0, topic, id, many));
            assertThat(huge.errorCode()).isZero();
            assertThat(partitions(huge)).hasSize(20_000);
            assertThat(partitions(huge).get(19_999).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            final FetchResponseData incremental = fetcher.fetch(LATEST, request(huge.sessionId(), 1, topic, id));
            // Errors are reported in every response; p0 too, read again from offset 0 (its records).
            assertThat(partitions(incremental)).hasSize(20_000 - PARTITIONS + 1).containsKey(0);
        }
    }

    @Test
    void shouldAnswerSessionlessWhenTheCacheIsFullAndEvictIdleSessions() throws Exception {
        final Path dir = TestDirs.create("fetch-session-cache");
        try (TestBroker broker = TestBroker.start(
                dir,
                Map.of(
                        "max.incremental.fetch.session.cache.slots", "1",
                        "min.incremental.fetch.session.eviction.ms", "1000"))) {
            final String topic = "full";
            Clients.createTopic(broker.bootstrapServers(), topic, 1);
            try (RawFetcher a = new RawFetcher(broker.port());
                    RawFetcher b = new RawFetcher(broker.port())) {
                final int first = a.fetch(BY_NAME, request(0, 0, topic, Uuid.ZERO_UUID, 0, 0))
                        .sessionId();
                assertThat(first).isNotZero();
                final FetchResponseData noRoom = b.fetch(BY_NAME, request(0, 0, topic, Uuid.ZERO_UUID, 0, 0));
                assertThat(noRoom.errorCode()).isZero();
                assertThat(noRoom.sessionId())
                        .as("cache full, nothing evictable: session-less")
                        .isZero();
                assertThat(partitions(noRoom)).containsOnlyKeys(0);

                Thread.sleep(1_200);
                final int second = b.fetch(BY_NAME, request(0, 0, topic, Uuid.ZERO_UUID, 0, 0))
                        .sessionId();
                assertThat(second)
                        .as("the idle session was evicted for a new one")
                        .isNotZero()
                        .isNotEqualTo(first);
                assertThat(a.fetch(BY_NAME, request(first, 1, topic, Uuid.ZERO_UUID))
                                .errorCode())
                        .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
                assertThat(broker.fetchSessionCount()).isEqualTo(1);
            }
        } finally {
            TestDirs.deleteQuietly(dir);
        }
    }
}
