package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.group.consumer.ConsumerGroupConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class GroupConfigTest {

    @Test
    void shouldBeKafkaDefaultsWhenNothingIsSet() {
        BrokerConfig defaults = new BrokerConfig(Map.of());

        assertThat(GroupConfig.from(defaults)).isEqualTo(GroupConfig.KAFKA_DEFAULTS);
        assertThat(ConsumerGroupConfig.from(defaults)).isEqualTo(ConsumerGroupConfig.KAFKA_DEFAULTS);
    }

    @Test
    void shouldReadEachGroupSettingByItsKafkaName() {
        BrokerConfig config = new BrokerConfig(Map.of(
                "group.initial.rebalance.delay.ms",
                "11",
                "group.min.session.timeout.ms",
                "12",
                "group.max.session.timeout.ms",
                "13",
                "offset.metadata.max.bytes",
                "14",
                "offsets.topic.num.partitions",
                "15",
                "offsets.retention.minutes",
                "16",
                "offsets.retention.check.interval.ms",
                "17"));

        assertThat(GroupConfig.from(config)).isEqualTo(new GroupConfig(11, 12, 13, 14, 15, 16 * 60_000L, 17L));
    }

    @Test
    void shouldReadEachConsumerGroupSettingByItsKafkaName() {
        BrokerConfig config = new BrokerConfig(Map.of(
                "group.consumer.session.timeout.ms",
                "21",
                "group.consumer.heartbeat.interval.ms",
                "22",
                "group.consumer.assignors",
                "range",
                "group.consumer.max.size",
                "23",
                "group.consumer.changing.heartbeat.interval.ms",
                "24"));

        assertThat(ConsumerGroupConfig.from(config))
                .isEqualTo(new ConsumerGroupConfig(21, 22, List.of("range"), 23, 24));
    }

    @Test
    void shouldRefuseToReadAConfigThatIsNotDefined() {
        BrokerConfig config = new BrokerConfig(Map.of("group.typo.ms", "1"));

        assertThatThrownBy(() -> config.getInt("group.typo.ms"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("group.typo.ms");
    }
}
