package io.piste.it.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.RawClient;
import io.piste.it.support.RawConnection;
import io.piste.it.support.RawConnection.Outcome;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Long-poll fetches parked for data end with their connection: a client that connects, parks 64 fetches on a topic
 * with no new data and goes away, a thousand times over, leaves no waiter on any partition and no heap behind. Their
 * number is bounded broker-wide ({@code fetch.purgatory.max.requests}) and per partition
 * ({@code fetch.purgatory.max.requests.per.partition}); a fetch beyond either is answered at once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ParkedFetchIT {
    private static final short FETCH_VERSION = 12;
    private static final int FETCHES_PER_CONNECTION = 64;
    private static final int CONNECTIONS = 1_000;
    /** Far beyond the test: a parked fetch that goes must go with its connection, not at its timeout. */
    private static final int LONG_WAIT_MS = 600_000;
    /** The max.wait.ms of fetches refused by a full purgatory, for which their connection is muted. */
    private static final int MUTE_WAIT_MS = 2_000;

    private static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(20);
    /**
     * Generous: 64,000 fetches left parked hold far more (each its request, reader, timer and closed channel), while
     * the broker's own caches and the JIT's noise stay well below it.
     */
    private static final long HEAP_GROWTH_BYTES_MAX = 32L * 1024 * 1024;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    @Test
    void shouldLeaveNoWaiterAndNoHeapAfterAThousandConnectionsParkingFetches() throws Exception {
        final String topic = "no-new-data";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        // Warm-up with fetches that expire on their own, so that class loading and JIT do not count as growth.
        try (RawConnection connection = RawConnection.open(BROKER.broker().port())) {
            assertThat(connection.send(fetches(topic, 200))).isTrue();
            for (int i = 0; i < FETCHES_PER_CONNECTION; i++) {
                assertThat(connection.await(RawClient.ANSWER_TIMEOUT))
                        .as("warm-up fetch %s answered", i)
                        .isEqualTo(Outcome.RESPONSE);
            }
        }
        assertThat(Bounded.waitFor(
                        CLEANUP_TIMEOUT,
                        Duration.ofMillis(10),
                        () -> BROKER.broker().fetchWaiterCount() == 0))
                .as("warm-up fetches expired")
                .isTrue();
        final long heapBefore = usedHeapAfterGc();

        final byte[] longPolls = fetches(topic, LONG_WAIT_MS);
        for (int i = 0; i < CONNECTIONS; i++) {
            parkAndDisconnect(longPolls, i == 0);
        }

        final boolean cleared = Bounded.waitFor(
                CLEANUP_TIMEOUT,
                Duration.ofMillis(10),
                () -> BROKER.broker().fetchWaiterCount() == 0 && BROKER.broker().parkedFetchCount() == 0);
        final int waitersLeft = BROKER.broker().fetchWaiterCount();
        final int parkedLeft = BROKER.broker().parkedFetchCount();
        final long heapAfter = usedHeapAfterGc();
        System.out.printf("ParkedFetchIT: used heap after GC before %d, after %d bytes%n", heapBefore, heapAfter);
        assertSoftly(softly -> {
            softly.assertThat(cleared)
                    .as(
                            "no waiter left after %s connections closed, found %s waiters of %s fetches",
                            CONNECTIONS, waitersLeft, parkedLeft)
                    .isTrue();
            softly.assertThat(heapAfter - heapBefore)
                    .as("heap growth in bytes (before %s, after %s)", heapBefore, heapAfter)
                    .isLessThan(HEAP_GROWTH_BYTES_MAX);
        });
    }

    @Test
    void shouldAnswerAtOnceWithAThrottleTimeWhenThePurgatoryIsFull() throws Exception {
        final Path dir = TestDirs.create("ParkedFetchIT-full");
        try (TestBroker broker = TestBroker.start(dir.resolve("logs"), Map.of("fetch.purgatory.max.requests", "8"))) {
            final String topic = "full-purgatory";
            Clients.createTopic(broker.bootstrapServers(), topic, 1);
            final byte[] eightLongPolls = Arrays.copyOf(
                    fetches(topic, LONG_WAIT_MS),
                    8 * RawClient.frame(ApiKeys.FETCH, FETCH_VERSION, 1, fetch(topic, LONG_WAIT_MS)).length);
            try (RawConnection parking = RawConnection.open(broker.port());
                    RawClient overflow = RawClient.open(broker.port())) {
                assertThat(parking.send(eightLongPolls)).isTrue();
                assertThat(Bounded.waitFor(
                                CLEANUP_TIMEOUT, Duration.ofMillis(10), () -> broker.parkedFetchCount() == 8))
                        .as("eight fetches parked")
                        .isTrue();

                // Answered within ANSWER_TIMEOUT although it asks to wait ten minutes: it was not parked.
                final FetchResponseData answer =
                        overflow.call(ApiKeys.FETCH, FETCH_VERSION, fetch(topic, LONG_WAIT_MS));

                assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NONE);
                assertThat(answer.throttleTimeMs()).isEqualTo(LONG_WAIT_MS);
                final FetchResponseData.PartitionData partition =
                        answer.responses().get(0).partitions().get(0);
                assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.NONE);
                assertThat(partition.records().sizeInBytes()).isZero();
                assertThat(broker.parkedFetchCount()).isEqualTo(8);

                // A client that ignores the throttle time (librdkafka) cannot spin: the broker does not read its
                // next request before max.wait.ms has passed.
                try (RawClient throttled = RawClient.open(broker.port())) {
                    final long start = System.nanoTime();
                    final FetchResponseData first =
                            throttled.call(ApiKeys.FETCH, FETCH_VERSION, fetch(topic, MUTE_WAIT_MS));
                    final FetchResponseData second =
                            throttled.call(ApiKeys.FETCH, FETCH_VERSION, fetch(topic, MUTE_WAIT_MS));
                    final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

                    assertThat(first.throttleTimeMs()).isEqualTo(MUTE_WAIT_MS);
                    assertThat(second.throttleTimeMs()).isEqualTo(MUTE_WAIT_MS);
                    assertThat(elapsedMs)
                            .as("second fetch answered after the mute")
                            .isGreaterThanOrEqualTo(MUTE_WAIT_MS);
                }
            }
            assertThat(Bounded.waitFor(
                            CLEANUP_TIMEOUT,
                            Duration.ofMillis(10),
                            () -> broker.parkedFetchCount() == 0 && broker.fetchWaiterCount() == 0))
                    .as("places given back when the connection closed")
                    .isTrue();
            try (RawClient again = RawClient.open(broker.port())) {
                again.send(ApiKeys.FETCH, FETCH_VERSION, fetch(topic, LONG_WAIT_MS));
                assertThat(Bounded.waitFor(
                                CLEANUP_TIMEOUT, Duration.ofMillis(10), () -> broker.parkedFetchCount() == 1))
                        .as("a fetch parks again")
                        .isTrue();
            }
        }
        TestDirs.deleteQuietly(dir);
    }

    @Test
    void shouldAnswerAtOnceWithAThrottleTimeWhenAPartitionHasAsManyParkedFetchesAsAllowed() throws Exception {
        final Path dir = TestDirs.create("ParkedFetchIT-partition-full");
        try (TestBroker broker =
                TestBroker.start(dir.resolve("logs"), Map.of("fetch.purgatory.max.requests.per.partition", "8"))) {
            final String topic = "full-partition";
            Clients.createTopic(broker.bootstrapServers(), topic, 2);
            final byte[] eightLongPolls = Arrays.copyOf(
                    fetches(topic, LONG_WAIT_MS),
                    8 * RawClient.frame(ApiKeys.FETCH, FETCH_VERSION, 1, fetch(topic, LONG_WAIT_MS)).length);
            try (RawConnection parking = RawConnection.open(broker.port());
                    RawClient overflow = RawClient.open(broker.port())) {
                assertThat(parking.send(eightLongPolls)).isTrue();
                assertThat(Bounded.waitFor(
                                CLEANUP_TIMEOUT, Duration.ofMillis(10), () -> broker.parkedFetchCount() == 8))
                        .as("eight fetches parked on partition 0")
                        .isTrue();

                // Answered within ANSWER_TIMEOUT although it asks to wait ten minutes: it was not parked.
                final FetchResponseData answer =
                        overflow.call(ApiKeys.FETCH, FETCH_VERSION, fetch(topic, LONG_WAIT_MS));

                assertThat(answer.throttleTimeMs()).isEqualTo(LONG_WAIT_MS);
                final FetchResponseData.PartitionData partition =
                        answer.responses().get(0).partitions().get(0);
                assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.NONE);
                assertThat(partition.records().sizeInBytes()).isZero();
                assertThat(broker.parkedFetchCount()).isEqualTo(8);
                assertThat(broker.fetchWaiterCount())
                        .as("partition 0 never had more than eight")
                        .isEqualTo(8);

                // The bound is per partition: a fetch of partition 1 still parks.
                try (RawClient other = RawClient.open(broker.port())) {
                    other.send(ApiKeys.FETCH, FETCH_VERSION, fetch(topic, 1, LONG_WAIT_MS));
                    assertThat(Bounded.waitFor(
                                    CLEANUP_TIMEOUT, Duration.ofMillis(10), () -> broker.parkedFetchCount() == 9))
                            .as("a fetch of partition 1 parks")
                            .isTrue();
                }
            }
            assertThat(Bounded.waitFor(
                            CLEANUP_TIMEOUT,
                            Duration.ofMillis(10),
                            () -> broker.parkedFetchCount() == 0 && broker.fetchWaiterCount() == 0))
                    .as("places given back when the connections closed")
                    .isTrue();
        }
        TestDirs.deleteQuietly(dir);
    }

    /**
     * Sends the fetches, then half-closes: the broker reads every request before the end of the stream, and its
     * closing the connection without an answer shows that the fetches were parked, not answered.
     */
    private static void parkAndDisconnect(final byte[] frames, final boolean checkParked) throws Exception {
        try (RawConnection connection = RawConnection.open(BROKER.broker().port())) {
            assertThat(connection.send(frames)).isTrue();
            if (checkParked) {
                assertThat(Bounded.waitFor(
                                CLEANUP_TIMEOUT,
                                Duration.ofMillis(1),
                                () -> BROKER.broker().fetchWaiterCount() >= FETCHES_PER_CONNECTION))
                        .as("fetches parked")
                        .isTrue();
            }
            connection.shutdownOutput();
            assertThat(connection.await(RawClient.ANSWER_TIMEOUT)).isEqualTo(Outcome.CLOSED);
        }
    }

    /** {@link #FETCHES_PER_CONNECTION} session-less fetches at the log end, each wanting 1 MiB. */
    private static byte[] fetches(final String topic, final int maxWaitMs) {
        final FetchRequestData request = fetch(topic, maxWaitMs);
        final ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (int i = 0; i < FETCHES_PER_CONNECTION; i++) {
            frames.writeBytes(RawClient.frame(ApiKeys.FETCH, FETCH_VERSION, i + 1, request));
        }
        return frames.toByteArray();
    }

    /** A session-less fetch of partition 0 at the log end (an empty topic), wanting 1 MiB. */
    private static FetchRequestData fetch(final String topic, final int maxWaitMs) {
        return fetch(topic, 0, maxWaitMs);
    }

    /** A session-less fetch of one partition at the log end (an empty topic), wanting 1 MiB. */
    private static FetchRequestData fetch(final String topic, final int partition, final int maxWaitMs) {
        final FetchRequestData request = new FetchRequestData()
                .setSessionId(0)
                .setSessionEpoch(-1)
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(1024 * 1024)
                .setMaxBytes(1024 * 1024);
        final FetchTopic fetchTopic = new FetchTopic().setTopic(topic);
        fetchTopic
                .partitions()
                .add(new FetchPartition()
                        .setPartition(partition)
                        .setFetchOffset(0)
                        .setPartitionMaxBytes(1024 * 1024));
        request.topics().add(fetchTopic);
        return request;
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Bounded.sleep(Duration.ofMillis(200));
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
