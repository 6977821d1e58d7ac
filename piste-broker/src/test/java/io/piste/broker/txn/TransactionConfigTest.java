package io.piste.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.config.BrokerConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TransactionConfigTest {

    @Test
    void shouldBeKafkaDefaultsWhenNothingIsSet() {
        assertThat(TransactionConfig.from(new BrokerConfig(Map.of()))).isEqualTo(TransactionConfig.KAFKA_DEFAULTS);
    }

    @Test
    void shouldReadEachSettingByItsKafkaName() {
        BrokerConfig config = new BrokerConfig(Map.of(
                "transaction.state.log.num.partitions", "11",
                "transaction.state.log.segment.bytes", "12",
                "transaction.max.timeout.ms", "13",
                "transactional.id.expiration.ms", "14",
                "transaction.abort.timed.out.transaction.cleanup.interval.ms", "15",
                "transaction.remove.expired.transaction.cleanup.interval.ms", "16",
                "transaction.partition.verification.enable", "false",
                "transaction.version", "1"));

        assertThat(TransactionConfig.from(config))
                .isEqualTo(new TransactionConfig(11, 12, 13, 14L, 15L, 16L, false, (short) 1));
    }

    @Test
    void shouldRefuseWhatKafkaRefuses() {
        for (String name : new String[] {
            "transaction.state.log.num.partitions",
            "transaction.state.log.segment.bytes",
            "transaction.max.timeout.ms",
            "transactional.id.expiration.ms",
            "transaction.abort.timed.out.transaction.cleanup.interval.ms",
            "transaction.remove.expired.transaction.cleanup.interval.ms"
        }) {
            assertThatThrownBy(() -> new BrokerConfig(Map.of(name, "0")))
                    .as(name)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(name);
        }
        assertThatThrownBy(() -> new BrokerConfig(Map.of("transaction.partition.verification.enable", "maybe")))
                .isInstanceOf(ConfigException.class);
    }
}
