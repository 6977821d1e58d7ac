package io.piste.it.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.Exec;
import io.piste.it.support.Kcat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kcat (librdkafka) against Piste: metadata, produce with keys and headers, consume, every codec. Needs the
 * {@code kcat} binary (Debian package kcat).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KcatIT {
    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    private static final Kcat KCAT = Kcat.on(BROKER::bootstrapServers);

    @BeforeAll
    static void findKcat() {
        Kcat.require();
    }

    @Test
    void shouldListBrokerAndTopics() throws Exception {
        Clients.createTopic(BROKER.bootstrapServers(), "kcat-listed", 3);

        final Exec.Result result = KCAT.run("-L").assertSuccess();

        assertThat(result.stdout())
                .contains("1 brokers:")
                .contains("broker 1 at " + BROKER.bootstrapServers())
                .contains("topic \"kcat-listed\" with 3 partitions:")
                .contains("partition 2, leader 1, replicas: 1, isrs: 1");
    }

    @Test
    void shouldListTopicAsJson() throws Exception {
        Clients.createTopic(BROKER.bootstrapServers(), "kcat-json", 2);

        final Exec.Result result = KCAT.run("-L", "-J", "-t", "kcat-json").assertSuccess();

        assertThat(result.stdout())
                .contains("\"controllerid\":1")
                .contains("\"brokers\":[{\"id\":1,\"name\":\"" + BROKER.bootstrapServers() + "\"}]")
                .contains("\"topic\":\"kcat-json\",\"partitions\":[")
                .contains("{\"partition\":1,\"leader\":1,\"replicas\":[{\"id\":1}],\"isrs\":[{\"id\":1}]}");
    }

    @Test
    void shouldProduceKeysAndHeadersThenConsumeThem() {
        final String topic = "kcat-keys-headers";
        KCAT.run(
                        List.of("-P", "-t", topic, "-p", "0", "-K:", "-H", "origin=kcat", "-H", "run=1"),
                        "k1:first\nk2:second\nk3:third\n")
                .assertSuccess();

        final Exec.Result consumed = KCAT.run("-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k=%s|%h|%o\\n")
                .assertSuccess();

        assertThat(consumed.stdoutLines())
                .containsExactly(
                        "k1=first|origin=kcat,run=1|0",
                        "k2=second|origin=kcat,run=1|1",
                        "k3=third|origin=kcat,run=1|2");
        final List<ConsumerRecord<String, String>> records =
                Consume.allOf(BROKER.bootstrapServers(), topic, Duration.ofSeconds(30));
        assertThat(records).extracting(ConsumerRecord::key).containsExactly("k1", "k2", "k3");
        assertThat(records.get(0).headers().lastHeader("origin").value())
                .isEqualTo("kcat".getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "kcat -z {0}")
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void shouldProduceWithEveryCodec(final String codec) {
        final String topic = "kcat-codec-" + codec;
        final List<String> lines = lines(300, codec);
        KCAT.run(
                        List.of("-P", "-t", topic, "-p", "0", "-z", codec, "-X", "linger.ms=50", "-K:"),
                        String.join("\n", lines) + "\n")
                .assertSuccess();

        final Exec.Result consumed = KCAT.run("-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\\n")
                .assertSuccess();

        assertThat(consumed.stdoutLines()).containsExactlyElementsOf(lines);
        final List<ConsumerRecord<String, String>> records =
                Consume.allOf(BROKER.bootstrapServers(), topic, Duration.ofSeconds(30));
        final List<String> javaRead = new ArrayList<>();
        records.forEach(r -> javaRead.add(r.key() + ":" + r.value()));
        assertThat(javaRead).as("read by the Java consumer").containsExactlyElementsOf(lines);
    }

    @ParameterizedTest(name = "Java producer compression.type={0}, kcat consumer")
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void shouldConsumeJavaProducedCodecWithKcat(final String codec) throws Exception {
        final String topic = "java-codec-" + codec;
        final List<String> lines = lines(300, codec);
        try (KafkaProducer<String, String> producer = Clients.producer(
                BROKER.bootstrapServers(),
                Clients.props(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 50))) {
            for (final String line : lines) {
                final int colon = line.indexOf(':');
                producer.send(new ProducerRecord<>(topic, 0, line.substring(0, colon), line.substring(colon + 1)));
            }
            producer.flush();
        }

        final Exec.Result consumed = KCAT.run("-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\\n")
                .assertSuccess();

        assertThat(consumed.stdoutLines()).containsExactlyElementsOf(lines);
    }

    private static List<String> lines(final int count, final String tag) {
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add("key-" + i + ":" + tag + " value " + i + " repeated text repeated text repeated text");
        }
        return lines;
    }
}
