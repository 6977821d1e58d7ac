package io.piste.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.junit.jupiter.api.Test;

/** Kafka broker configs that do nothing in Piste, as DescribeConfigs shows them. */
class NotUsedBrokerConfigsTest {
    private static final byte BROKER = 4;

    private final ConfigsHandlerTest.InMemoryStore store = new ConfigsHandlerTest.InMemoryStore();

    @Test
    void shouldLeaveConfigsThatDoNothingOutOfTheListOfAllConfigs() {
        List<String> names = names(describe(Map.of(), null));

        assertThat(names)
                .doesNotContain(
                        "num.io.threads",
                        "socket.send.buffer.bytes",
                        "socket.receive.buffer.bytes",
                        "share.coordinator.state.topic.replication.factor",
                        "metadata.log.dir");
        assertThat(names)
                .as("configs Piste acts on")
                .contains(
                        "num.network.threads",
                        "queued.max.requests",
                        "connections.max.idle.ms",
                        "socket.request.max.bytes",
                        "offsets.topic.replication.factor",
                        "transaction.state.log.replication.factor",
                        "transaction.state.log.min.isr",
                        "log.segment.bytes",
                        "log.cleaner.enable",
                        "log.cleaner.dedupe.buffer.size",
                        "controller.quorum.bootstrap.servers");
    }

    @Test
    void shouldListAConfigThatDoesNothingWhenTheUserSetIt() {
        DescribeConfigsResult result = describe(Map.of("num.io.threads", "16"), null);

        DescribeConfigsResourceResult ioThreads = config(result, "num.io.threads");
        assertThat(ioThreads.value()).isEqualTo("16");
        assertThat(ioThreads.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(ioThreads.readOnly()).isTrue();
        assertThat(ioThreads.documentation()).startsWith("Not used by Piste: ").contains("num.network.threads");
        assertThat(names(result)).doesNotContain("socket.send.buffer.bytes");
    }

    @Test
    void shouldAnswerAConfigThatDoesNothingWhenAskedForByName() {
        DescribeConfigsResult result =
                describe(Map.of(), List.of("socket.receive.buffer.bytes", "num.network.threads"));

        assertThat(names(result)).containsExactly("num.network.threads", "socket.receive.buffer.bytes");
        DescribeConfigsResourceResult buffer = config(result, "socket.receive.buffer.bytes");
        assertThat(buffer.value()).as("Kafka's default, accepted and validated").isEqualTo("102400");
        assertThat(buffer.documentation()).startsWith("Not used by Piste: ");
        assertThat(config(result, "num.network.threads").documentation()).doesNotContain("Not used by Piste");
    }

    @Test
    void shouldOnlyNameConfigsThatBrokerConfigDefines() {
        for (String name : List.of(
                "num.io.threads",
                "socket.send.buffer.bytes",
                "share.coordinator.state.topic.min.isr",
                "metadata.log.dir")) {
            assertThat(NotUsedBrokerConfigs.contains(name)).as(name).isTrue();
            assertThat(BrokerConfig.configDef().configKeys()).as(name).containsKey(name);
        }
        assertThat(NotUsedBrokerConfigs.contains("queued.max.requests")).isFalse();
        assertThat(NotUsedBrokerConfigs.contains("connections.max.idle.ms")).isFalse();
        assertThat(NotUsedBrokerConfigs.contains("transaction.state.log.num.partitions"))
                .isFalse();
    }

    private DescribeConfigsResult describe(Map<String, String> staticConfig, List<String> keys) {
        ConfigsHandler handler = new ConfigsHandler(new BrokerConfig(staticConfig), store, store);
        List<DescribeConfigsRequestData.DescribeConfigsResource> resources = new ArrayList<>();
        resources.add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(BROKER)
                .setResourceName("1")
                .setConfigurationKeys(keys));
        DescribeConfigsRequestData request = new DescribeConfigsRequestData()
                .setResources(resources)
                .setIncludeSynonyms(true)
                .setIncludeDocumentation(true);
        DescribeConfigsResult result =
                handler.describe(request, (short) 4).results().get(0);
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        return result;
    }

    private static List<String> names(DescribeConfigsResult result) {
        return result.configs().stream()
                .map(DescribeConfigsResourceResult::name)
                .toList();
    }

    private static DescribeConfigsResourceResult config(DescribeConfigsResult result, String name) {
        return result.configs().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not described"));
    }
}
