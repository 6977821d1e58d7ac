package io.piste.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class MetadataRecordCodecTest {

    @Test
    void shouldRebuildAnImageFromItsRecordsThroughBytes() {
        Uuid orders = Uuid.randomUuid();
        MetadataImage image = MetadataChangeCheck.apply(
                MetadataImage.EMPTY,
                List.of(
                        new MetadataRecord.Topic("orders", orders, 3),
                        new MetadataRecord.TopicConfig(orders, Map.of("cleanup.policy", "compact", "a b", "c=d,e")),
                        new MetadataRecord.Topic("plain", Uuid.randomUuid(), 1),
                        new MetadataRecord.ProducerIds(5000),
                        new MetadataRecord.BrokerConfigs("default", Map.of("log.retention.ms", "7")),
                        new MetadataRecord.BrokerConfigs("2", Map.of("log.segment.bytes", "1048576")),
                        new MetadataRecord.BrokerRegistration(
                                2,
                                3,
                                Uuid.randomUuid(),
                                "rack a,b",
                                List.of(
                                        new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "::1", 9092),
                                        new BrokerEndpoint("EXTERNAL", "SSL", "broker-2.example", 9093))),
                        new MetadataRecord.BrokerFencing(2, 3, false),
                        new MetadataRecord.BrokerRegistration(5, 1, Uuid.randomUuid(), "", List.of()),
                        new MetadataRecord.Assignment(orders, 0, List.of(List.of(2, 5), List.of(5, 2), List.of(2))),
                        new MetadataRecord.PartitionState(
                                orders, 1, new PartitionImage(List.of(5, 2), 2, 1, 1, List.of(2), List.of(5)))));

        List<MetadataRecord> decoded = MetadataRecordCodec.decode(MetadataRecordCodec.encode(image.records()), 100);
        MetadataImage rebuilt = MetadataImage.EMPTY;
        for (MetadataRecord record : decoded) {
            rebuilt = rebuilt.apply(record);
        }

        assertThat(rebuilt.topics()).containsExactlyInAnyOrderElementsOf(image.topics());
        assertThat(new TreeMap<>(rebuilt.topic("orders").configs())).containsEntry("a b", "c=d,e");
        assertThat(rebuilt.producerIdBlockEnd()).isEqualTo(5000);
        assertThat(rebuilt.brokerConfigs("default")).isEqualTo(image.brokerConfigs("default"));
        assertThat(rebuilt.brokerConfigs("2")).isEqualTo(image.brokerConfigs("2"));
        assertThat(rebuilt.brokers()).isEqualTo(image.brokers());
        assertThat(rebuilt.partitions(orders)).isEqualTo(image.partitions(orders));
        assertThat(rebuilt.partitions(orders).get(1).elr()).containsExactly(5);
        assertThat(rebuilt.broker(2).fenced()).isFalse();
        assertThat(rebuilt.broker(2).rack()).isEqualTo("rack a,b");
        assertThat(rebuilt.broker(5).fenced()).isTrue();
        assertThat(rebuilt.records()).isEqualTo(image.records());
    }

    @Test
    void shouldRefuseMoreRecordsThanAllowedAndATornLastLine() {
        byte[] two = MetadataRecordCodec.encode(
                List.of(new MetadataRecord.ProducerIds(1), new MetadataRecord.ProducerIds(2)));
        assertThat(MetadataRecordCodec.decode(two, 2)).hasSize(2);
        assertThatThrownBy(() -> MetadataRecordCodec.decode(two, 1)).hasMessageContaining("more than 1");
        assertThatThrownBy(() -> MetadataRecordCodec.decode("PRODUCER_IDS 1".getBytes(StandardCharsets.UTF_8), 5))
                .hasMessageContaining("newline");
        assertThatThrownBy(() -> MetadataRecordCodec.decode("PRODUCER_IDS -1\n".getBytes(StandardCharsets.UTF_8), 5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(MetadataRecordCodec.decode(new byte[0], 5)).isEmpty();
        String manyReplicas = "ASSIGN " + Uuid.randomUuid() + " 0 " + "1,".repeat(64) + "1\n";
        assertThatThrownBy(() -> MetadataRecordCodec.decode(manyReplicas.getBytes(StandardCharsets.UTF_8), 5))
                .hasMessageContaining("at most 64");
        String manyEndpoints = "BROKER 1 1 " + Uuid.randomUuid() + "  " + "L,P,h,1;".repeat(65) + "L,P,h,1\n";
        assertThatThrownBy(() -> MetadataRecordCodec.decode(manyEndpoints.getBytes(StandardCharsets.UTF_8), 5))
                .hasMessageContaining("at most 64");
    }
}
