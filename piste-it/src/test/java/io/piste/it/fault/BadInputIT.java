package io.piste.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.LoadProducer;
import io.piste.it.support.LoadVerifier;
import io.piste.it.support.RawClient;
import io.piste.it.support.RawConnection;
import io.piste.it.support.RawConnection.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bytes no client would send, over raw sockets, while a real producer keeps producing: the broker answers with
 * Kafka's error code or closes that one connection, never hangs, and the producer sees no error and loses nothing.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BadInputIT {
    private static final int SOCKET_REQUEST_MAX_BYTES = 1024 * 1024;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);
    private static final short API_VERSIONS = 18;
    private static final short METADATA = 3;
    private static final short PRODUCE = 0;
    private static final short UNSUPPORTED_VERSION = 35;

    @RegisterExtension
    static final BrokerExtension BROKER =
            BrokerExtension.withOverrides("socket.request.max.bytes", Integer.toString(SOCKET_REQUEST_MAX_BYTES));

    private LoadProducer load;
    private String loadTopic;

    @BeforeEach
    void startLoad(final TestInfo info) throws Exception {
        loadTopic = "load-" + info.getTestMethod().orElseThrow().getName();
        Clients.createTopic(BROKER.bootstrapServers(), loadTopic, 3);
        load = new LoadProducer(
                        "good",
                        Clients.producer(
                                BROKER.bootstrapServers(),
                                Clients.props(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)),
                        loadTopic,
                        3,
                        500,
                        500)
                .start();
        // The attack starts once the real producer is demonstrably producing.
        assertThat(Bounded.waitFor(Duration.ofSeconds(20), Duration.ofMillis(20), () -> load.ackedCount() >= 10))
                .as("the real producer got its first acknowledgements")
                .isTrue();
    }

    @AfterEach
    void checkLoadWasUnharmed() throws Exception {
        load.stopAndFlush(Duration.ofSeconds(30));
        load.close();
        assertThat(load.errors())
                .as("errors the real producer saw (%d in all)", load.errorCount())
                .isEmpty();
        assertThat(load.ackedCount())
                .as("records the real producer got acknowledged")
                .isPositive()
                .isEqualTo(load.sentCount());
        final List<ConsumerRecord<String, String>> records =
                Consume.allOf(BROKER.bootstrapServers(), loadTopic, Duration.ofSeconds(30));
        assertThat(LoadVerifier.problems(records, List.of(load))).isEmpty();
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            assertThat(admin.describeCluster().nodes().get(20, TimeUnit.SECONDS))
                    .hasSize(1);
            assertThat(admin.listTopics().names().get(20, TimeUnit.SECONDS)).contains(loadTopic);
        }
    }

    /**
     * A ConsumerGroupHeartbeat whose client id is 30,000 bytes of 0xFF (90 KB once decoded) is refused with
     * INVALID_REQUEST; it used to join, then fail the group's snapshot, and every heartbeat of the group with it,
     * which is fatal for the Java consumer already in the group.
     */
    @Test
    void shouldRefuseAConsumerGroupHeartbeatWithAHugeClientIdAndKeepTheGroupServing() throws Exception {
        final String topic = "kip848-huge-client-id";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        try (KafkaConsumer<String, String> member = Clients.consumer(
                        BROKER.bootstrapServers(),
                        Map.of(
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "huge-client-id",
                                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                                "consumer",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest"));
                KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            member.subscribe(List.of(topic));
            assertThat(Bounded.waitFor(Duration.ofSeconds(30), Duration.ZERO, () -> {
                        member.poll(Duration.ofMillis(100));
                        return !member.assignment().isEmpty();
                    }))
                    .as("the member got its partition")
                    .isTrue();
            final ConsumerGroupHeartbeatRequestData join = new ConsumerGroupHeartbeatRequestData()
                    .setGroupId("huge-client-id")
                    .setMemberId(Uuid.randomUuid().toString())
                    .setMemberEpoch(0)
                    .setRebalanceTimeoutMs(30_000)
                    .setSubscribedTopicNames(List.of(topic))
                    .setTopicPartitions(List.of());
            final short version = 1;
            // Sized exactly by the serializer: the whole backing array is the body.
            final byte[] body =
                    MessageUtil.toByteBufferAccessor(join, version).buffer().array();

            try (RawConnection connection = RawConnection.open(BROKER.broker().port())) {
                connection.send(RawConnection.requestV2(
                        ApiKeys.CONSUMER_GROUP_HEARTBEAT.id, version, 7, filled(30_000, (byte) 0xFF), body));
                assertThat(connection.await(ANSWER_TIMEOUT)).isEqualTo(Outcome.RESPONSE);
                final ByteBuffer response = connection.lastResponse();
                assertThat(response.getInt()).as("correlation id").isEqualTo(7);
                response.get(); // the response header's empty tagged fields
                final ConsumerGroupHeartbeatResponseData answer =
                        new ConsumerGroupHeartbeatResponseData(new ByteBufferAccessor(response), version);
                assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
                assertThat(answer.errorMessage()).startsWith("ClientId is longer");
            }

            producer.send(new ProducerRecord<>(topic, "k", "after")).get(30, TimeUnit.SECONDS);
            // Longer than the member's heartbeat interval (5 s): it heartbeats at least once in this loop.
            final List<String> values = new ArrayList<>();
            final long deadline = System.nanoTime() + Duration.ofSeconds(7).toNanos();
            while (System.nanoTime() < deadline) {
                member.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            assertThat(values).as("the member kept consuming").contains("after");
            assertThat(member.groupMetadata().generationId()).as("its epoch").isPositive();
        }
    }

    @Test
    void shouldCloseConnectionOnFrameOverSocketRequestMaxBytes() throws Exception {
        for (final int size : new int[] {SOCKET_REQUEST_MAX_BYTES + 1, 100 * 1024 * 1024, Integer.MAX_VALUE, -1}) {
            final ByteBuffer frame = ByteBuffer.allocate(4 + 64);
            frame.putInt(size);
            frame.putShort(API_VERSIONS).putShort((short) 0).putInt(1);

            assertClosesConnection("a frame of size " + size, frame.array(), false);
        }
    }

    /**
     * A frame that never ends is waited for, as Kafka does, and the connection closed at end of stream; a whole
     * frame that ends inside its header or its body cannot be parsed, and Kafka closes its connection at once.
     */
    @Test
    void shouldCloseConnectionOnTruncatedFrames() throws Exception {
        // Size says 100, 10 bytes follow, then end of stream.
        assertClosesConnection(
                "a frame cut after 10 of 100 bytes",
                concat(ByteBuffer.allocate(4).putInt(100).array(), new byte[10]),
                true);
        // Two bytes of a size, then end of stream.
        assertClosesConnection("two bytes of a size", new byte[] {0, 0}, true);
        // A whole frame that ends inside the request header (api_key, api_version, half a correlation id).
        assertClosesConnection(
                "a frame ending inside its header",
                ByteBuffer.allocate(10)
                        .putInt(6)
                        .putShort(METADATA)
                        .putShort((short) 12)
                        .putShort((short) 0)
                        .array(),
                false);
        // A Metadata v12 header whose body stops after the first byte of the topics array.
        assertClosesConnection(
                "a Metadata v12 body cut after one byte",
                RawConnection.requestV2(METADATA, 12, 5, "piste-it", new byte[] {2}),
                false);
    }

    /** Kafka cannot read these requests and closes their connection without an answer. */
    @Test
    void shouldCloseConnectionOnGarbledRequests() throws Exception {
        assertClosesConnection(
                "a client_id length of 30000, past the end of the frame",
                frame(b ->
                        b.putShort(API_VERSIONS).putShort((short) 0).putInt(1).putShort((short) 30_000)),
                false);
        assertClosesConnection(
                "a Produce v9 (flexible) request whose body is all 0xFF",
                RawConnection.requestV2(PRODUCE, 9, 3, "piste-it", filled(64, (byte) 0xFF)),
                false);
        assertClosesConnection(
                "a Metadata v1 request whose topic array claims 2^31-1 entries",
                RawConnection.requestV1(
                        METADATA,
                        1,
                        4,
                        "piste-it",
                        ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array()),
                false);
    }

    /**
     * Kafka's header reader (kafka-clients' RequestHeaderData) takes any negative client_id length as a null client
     * id, not only -1: an ApiVersions v0 with length -5 is answered, and its connection kept.
     */
    @Test
    void shouldAnswerANegativeClientIdLengthAsANullClientId() throws Exception {
        try (RawConnection connection = RawConnection.open(BROKER.broker().port())) {
            connection.send(frame(
                    b -> b.putShort(API_VERSIONS).putShort((short) 0).putInt(2).putShort((short) -5)));

            assertThat(connection.await(ANSWER_TIMEOUT)).isEqualTo(Outcome.RESPONSE);
            final ByteBuffer response = connection.lastResponse();
            assertThat(response.getInt()).as("correlation id").isEqualTo(2);
            assertThat(response.getShort()).as("error code").isZero();
            assertThat(apiVersionsV0(response)).containsKeys((int) PRODUCE, (int) METADATA, (int) API_VERSIONS);

            connection.send(RawConnection.requestV1(API_VERSIONS, 0, 3, "piste-it", new byte[0]));
            assertThat(connection.await(ANSWER_TIMEOUT))
                    .as("the next request on that connection")
                    .isEqualTo(Outcome.RESPONSE);
            assertThat(connection.lastResponse().getInt()).as("correlation id").isEqualTo(3);
        }
        assertStillServes();
    }

    /** An api key Kafka does not know makes its header unreadable: Kafka closes the connection. */
    @Test
    void shouldCloseConnectionOnUnknownApiKey() throws Exception {
        for (final int apiKey : new int[] {9_999, 1_000, -2, Short.MAX_VALUE}) {
            assertClosesConnection(
                    "api key " + apiKey, RawConnection.requestV1(apiKey, 0, 11, "piste-it", new byte[0]), false);
        }
    }

    @Test
    void shouldAnswerApiVersionsV0() throws Exception {
        try (RawConnection connection = RawConnection.open(BROKER.broker().port())) {
            connection.send(RawConnection.requestV1(API_VERSIONS, 0, 41, "piste-it", new byte[0]));

            assertThat(connection.await(ANSWER_TIMEOUT)).isEqualTo(Outcome.RESPONSE);
            final ByteBuffer response = connection.lastResponse();
            assertThat(response.getInt()).as("correlation id").isEqualTo(41);
            assertThat(response.getShort()).as("error code").isZero();
            assertThat(apiVersionsV0(response)).containsKeys((int) PRODUCE, (int) METADATA, (int) API_VERSIONS);
        }
    }

    @Test
    void shouldAnswerUnsupportedApiVersionsVersionWithUnsupportedVersion() throws Exception {
        try (RawConnection connection = RawConnection.open(BROKER.broker().port())) {
            // As a client newer than the broker would: ApiVersions v99, flexible header, a v3-shaped body.
            connection.send(RawConnection.requestV2(
                    API_VERSIONS,
                    99,
                    42,
                    "piste-it",
                    concat(compactString("piste-it"), compactString("1.0"), new byte[] {0})));

            assertThat(connection.await(ANSWER_TIMEOUT)).isEqualTo(Outcome.RESPONSE);
            final ByteBuffer response = connection.lastResponse();
            assertThat(response.getInt()).as("correlation id").isEqualTo(42);
            assertThat(response.getShort())
                    .as("error code, UNSUPPORTED_VERSION")
                    .isEqualTo(UNSUPPORTED_VERSION);
            // The v0 body still lists the versions, so that the client can pick one and ask again.
            final Map<Integer, short[]> versions = apiVersionsV0(response);
            assertThat(versions).containsKey((int) API_VERSIONS);
            assertThat(versions.get((int) API_VERSIONS)[1])
                    .as("max ApiVersions version")
                    .isGreaterThanOrEqualTo((short) 3);
        }
    }

    /** Only ApiVersions answers a version it does not know (above); for any other API Kafka closes. */
    @Test
    void shouldCloseConnectionOnUnsupportedVersionOfOtherApi() throws Exception {
        assertClosesConnection(
                "Metadata v999",
                RawConnection.requestV2(METADATA, 999, 43, "piste-it", new byte[] {1, 0, 0, 0}),
                false);
    }

    @Test
    void shouldSurviveRandomBytes() throws Exception {
        final long seed = Long.getLong("piste.fuzz.seed", System.nanoTime());
        System.out.println("BadInputIT fuzz seed: " + seed + " (rerun with -Dpiste.fuzz.seed=" + seed + ")");
        final Random random = new Random(seed);
        final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        final Map<Outcome, Integer> outcomes = new HashMap<>();
        final List<String> hangs = new ArrayList<>();
        int iterations = 0;
        while (System.nanoTime() < endNs && iterations < 50_000) {
            final byte[] input = fuzzInput(random);
            iterations++;
            try (RawConnection connection = RawConnection.open(BROKER.broker().port())) {
                connection.send(input);
                connection.shutdownOutput();
                final Outcome outcome = connection.await(Duration.ofSeconds(3));
                outcomes.merge(outcome, 1, Integer::sum);
                if (outcome == Outcome.NOTHING && hangs.size() < 10) {
                    hangs.add("iteration " + iterations + ": " + hex(input, 48));
                }
            }
        }
        System.out.println("BadInputIT fuzz: " + iterations + " inputs, outcomes " + outcomes);

        assertThat(hangs)
                .as("inputs after which the broker neither answered nor closed within 3 s of EOF")
                .isEmpty();
        assertThat(iterations).isGreaterThan(100);
        assertStillServes();
    }

    /**
     * Sends {@code input} on a new connection (then ends the stream if {@code endOfStream}), and expects the broker
     * to close that connection without an answer, and to answer on a new one.
     */
    private static void assertClosesConnection(final String what, final byte[] input, final boolean endOfStream)
            throws IOException {
        try (RawConnection connection = RawConnection.open(BROKER.broker().port())) {
            connection.send(input);
            if (endOfStream) {
                connection.shutdownOutput();
            }

            assertThat(connection.await(ANSWER_TIMEOUT))
                    .as("outcome of %s", what)
                    .isEqualTo(Outcome.CLOSED);
        }
        assertStillServes();
    }

    /** ApiVersions v3 on a new connection is answered without error. */
    private static void assertStillServes() throws IOException {
        try (RawClient client = RawClient.open(BROKER.broker().port())) {
            final ApiVersionsResponseData answer = client.call(
                    ApiKeys.API_VERSIONS,
                    (short) 3,
                    new ApiVersionsRequestData()
                            .setClientSoftwareName("piste-it")
                            .setClientSoftwareVersion("1.0"));
            assertThat(Errors.forCode(answer.errorCode()))
                    .as("ApiVersions after the bad input")
                    .isEqualTo(Errors.NONE);
        }
    }

    private static byte[] fuzzInput(final Random random) {
        final int mode = random.nextInt(4);
        final byte[] body = new byte[random.nextInt(mode == 0 ? 64 : 512)];
        random.nextBytes(body);
        switch (mode) {
            case 0:
                // Anything at all, the size prefix included.
                return body;
            case 1:
                // A size that matches, then noise.
                return concat(ByteBuffer.allocate(4).putInt(body.length).array(), body);
            case 2: {
                // A real api key and version in a v1 header, then noise: this reaches the body decoders.
                final short[] keys = {0, 1, 2, 3, 18, 19, 20, 32, 33, 37, 44, 60, 22};
                final short key = keys[random.nextInt(keys.length)];
                return RawConnection.requestV1(key, random.nextInt(14), random.nextInt(), "fuzz", body);
            }
            default: {
                // A real request header with a flexible body of noise, cut at a random point.
                final byte[] whole = RawConnection.requestV2(API_VERSIONS, 3, random.nextInt(), "fuzz", body);
                final byte[] cut = new byte[4 + random.nextInt(whole.length - 3)];
                System.arraycopy(whole, 0, cut, 0, cut.length);
                return cut;
            }
        }
    }

    /** Reads the v0 api_keys array: api key to {min, max}. */
    private static Map<Integer, short[]> apiVersionsV0(final ByteBuffer response) {
        final int count = response.getInt();
        assertThat(count).as("api_keys count").isBetween(1, 200);
        final Map<Integer, short[]> versions = new HashMap<>();
        for (int i = 0; i < count; i++) {
            final short key = response.getShort();
            versions.put((int) key, new short[] {response.getShort(), response.getShort()});
        }
        return versions;
    }

    @FunctionalInterface
    private interface Body {
        void write(ByteBuffer buffer);
    }

    /** A frame: size prefix, then what {@code body} writes. */
    private static byte[] frame(final Body body) {
        final ByteBuffer buffer = ByteBuffer.allocate(1024);
        buffer.position(4);
        body.write(buffer);
        final int size = buffer.position() - 4;
        buffer.putInt(0, size);
        final byte[] bytes = new byte[size + 4];
        buffer.flip();
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] compactString(final String value) {
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        // Unsigned varint of length + 1; short strings fit in one byte.
        return concat(new byte[] {(byte) (bytes.length + 1)}, bytes);
    }

    private static byte[] filled(final int size, final byte value) {
        final byte[] bytes = new byte[size];
        Arrays.fill(bytes, value);
        return bytes;
    }

    private static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String hex(final byte[] bytes, final int max) {
        final StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, max); i++) {
            hex.append(String.format("%02x", bytes[i]));
        }
        return hex + (bytes.length > max ? "... (" + bytes.length + " bytes)" : "");
    }
}
