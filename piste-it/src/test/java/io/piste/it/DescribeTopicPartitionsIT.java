package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.RawClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DescribeTopicPartitions (KIP-966), which Admin's describeTopics prefers: the real client pages through a topic
 * larger than its per-answer limit; the raw API answers topics in name order, unknown names with
 * UNKNOWN_TOPIC_OR_PARTITION, at most the limit per answer with a cursor to the next, and refuses a cursor for a
 * topic it was not asked for.
 */
class DescribeTopicPartitionsIT {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    @BeforeAll
    static void createTopics() throws Exception {
        Clients.createTopic(BROKER.bootstrapServers(), "dtp-a", 5);
        Clients.createTopic(BROKER.bootstrapServers(), "dtp-b", 1);
    }

    @Test
    void shouldGiveTheAdminClientEveryPartitionPageByPage() throws Exception {
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            TopicDescription described = admin.describeTopics(
                            List.of("dtp-a"), new DescribeTopicsOptions().partitionSizeLimitPerResponse(2))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get("dtp-a");

            assertThat(described.partitions())
                    .extracting(TopicPartitionInfo::partition)
                    .containsExactly(0, 1, 2, 3, 4);
            assertThat(described.partitions().get(0).isr()).hasSize(1);
            assertThat(described.partitions().get(0).elr()).isEmpty();
        }
    }

    @Test
    void shouldAnswerInNameOrderUpToTheLimitWithACursor() {
        DescribeTopicPartitionsRequestData request = new DescribeTopicPartitionsRequestData()
                .setTopics(List.of(
                        new TopicRequest().setName("dtp-missing"),
                        new TopicRequest().setName("dtp-b"),
                        new TopicRequest().setName("dtp-a")))
                .setResponsePartitionLimit(3);

        DescribeTopicPartitionsResponseData first = call(request);
        assertThat(names(first)).containsExactly("dtp-a");
        assertThat(partitionsOf(first, "dtp-a")).containsExactly(0, 1, 2);
        assertThat(first.nextCursor().topicName()).isEqualTo("dtp-a");
        assertThat(first.nextCursor().partitionIndex()).isEqualTo(3);

        DescribeTopicPartitionsResponseData second =
                call(request.setCursor(new Cursor().setTopicName("dtp-a").setPartitionIndex(3)));
        assertThat(names(second)).containsExactly("dtp-a", "dtp-b");
        assertThat(partitionsOf(second, "dtp-a")).containsExactly(3, 4);
        assertThat(partitionsOf(second, "dtp-b")).containsExactly(0);
        assertThat(second.nextCursor().topicName())
                .as("the limit reached: the next topic, known or not, starts the next answer")
                .isEqualTo("dtp-missing");

        DescribeTopicPartitionsResponseData third =
                call(request.setCursor(new Cursor().setTopicName("dtp-missing").setPartitionIndex(0)));
        assertThat(names(third)).containsExactly("dtp-missing");
        assertThat(Errors.forCode(third.topics().find("dtp-missing").errorCode()))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(third.nextCursor()).isNull();
    }

    @Test
    void shouldRefuseABadCursorOrTopicNameAndBoundAHostileLimit() {
        DescribeTopicPartitionsResponseData notRequested = call(new DescribeTopicPartitionsRequestData()
                .setTopics(List.of(new TopicRequest().setName("dtp-b")))
                .setCursor(new Cursor().setTopicName("dtp-a").setPartitionIndex(0)));
        assertThat(notRequested.topics())
                .hasSize(1)
                .allSatisfy(t -> assertThat(Errors.forCode(t.errorCode())).isEqualTo(Errors.INVALID_REQUEST));

        DescribeTopicPartitionsResponseData negative = call(new DescribeTopicPartitionsRequestData()
                .setTopics(List.of(new TopicRequest().setName("dtp-a")))
                .setCursor(new Cursor().setTopicName("dtp-a").setPartitionIndex(-7)));
        assertThat(negative.topics())
                .hasSize(1)
                .allSatisfy(t -> assertThat(Errors.forCode(t.errorCode())).isEqualTo(Errors.INVALID_REQUEST));

        DescribeTopicPartitionsResponseData all = call(new DescribeTopicPartitionsRequestData()
                .setResponsePartitionLimit(Integer.MIN_VALUE)
                .setCursor(new Cursor().setTopicName("dtp-a").setPartitionIndex(4)));
        assertThat(names(all))
                .as("no topics named: all of them, from the cursor on, at least one partition per answer")
                .containsExactly("dtp-a");
        assertThat(partitionsOf(all, "dtp-a")).containsExactly(4);
        assertThat(all.nextCursor().topicName()).isEqualTo("dtp-b");

        DescribeTopicPartitionsResponseData invalid =
                call(new DescribeTopicPartitionsRequestData().setTopics(List.of(new TopicRequest().setName("../etc"))));
        assertThat(Errors.forCode(invalid.topics().find("../etc").errorCode()))
                .isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
    }

    private static List<String> names(DescribeTopicPartitionsResponseData response) {
        return response.topics().stream()
                .map(DescribeTopicPartitionsResponseTopic::name)
                .toList();
    }

    private static List<Integer> partitionsOf(DescribeTopicPartitionsResponseData response, String topic) {
        return response.topics().find(topic).partitions().stream()
                .map(DescribeTopicPartitionsResponsePartition::partitionIndex)
                .toList();
    }

    private static DescribeTopicPartitionsResponseData call(DescribeTopicPartitionsRequestData request) {
        try (RawClient client = RawClient.open(BROKER.broker().port())) {
            return client.call(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, (short) 0, request);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
