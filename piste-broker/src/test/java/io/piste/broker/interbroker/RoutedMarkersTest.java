package io.piste.broker.interbroker;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.txn.MarkerWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class RoutedMarkersTest {

    private static final int SELF = 1;
    private static final TopicPartition MINE = new TopicPartition("t", 0);
    private static final TopicPartition ON_TWO = new TopicPartition("t", 1);
    private static final TopicPartition ALSO_ON_TWO = new TopicPartition("u", 0);
    private static final TopicPartition ON_THREE = new TopicPartition("t", 2);
    private static final TopicPartition LEADERLESS = new TopicPartition("t", 3);
    private static final TopicPartition GONE = new TopicPartition("gone", 0);

    private final List<String> sent = new ArrayList<>();

    private int leaderOf(TopicPartition tp) {
        if (tp.equals(MINE)) {
            return SELF;
        }
        if (tp.equals(ON_TWO) || tp.equals(ALSO_ON_TWO)) {
            return 2;
        }
        if (tp.equals(ON_THREE)) {
            return 3;
        }
        return tp.equals(LEADERLESS) ? -1 : RoutedMarkers.UNKNOWN_PARTITION;
    }

    @Test
    void shouldWriteEachMarkerWhereItsPartitionIsLedAndAnswerOnceWithEveryFailure() {
        MarkerWriter local = (id, epoch, commit, version, coordinatorEpoch, partitions, done) -> {
            sent.add("local " + partitions.size());
            done.accept(partitions.contains(GONE) ? Map.of(GONE, Errors.UNKNOWN_TOPIC_OR_PARTITION) : Map.of());
        };
        RoutedMarkers.RemoteMarkers remote =
                (leader, id, epoch, commit, version, coordinatorEpoch, partitions, done) -> {
                    sent.add("broker " + leader + " " + partitions.size());
                    done.accept(leader == 3 ? Map.of(ON_THREE, Errors.NETWORK_EXCEPTION) : Map.of());
                };
        RoutedMarkers markers = new RoutedMarkers(SELF, this::leaderOf, local, remote);
        AtomicInteger answers = new AtomicInteger();
        List<Map<TopicPartition, Errors>> failed = new ArrayList<>();

        markers.write(
                5L,
                (short) 0,
                true,
                (short) 2,
                7,
                Set.of(MINE, ON_TWO, ALSO_ON_TWO, ON_THREE, LEADERLESS, GONE),
                errors -> {
                    answers.incrementAndGet();
                    failed.add(errors);
                });

        assertThat(sent).containsExactlyInAnyOrder("local 2", "broker 2 2", "broker 3 1");
        assertThat(answers).hasValue(1);
        assertThat(failed.get(0))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        ON_THREE, Errors.NETWORK_EXCEPTION,
                        LEADERLESS, Errors.NOT_LEADER_OR_FOLLOWER,
                        GONE, Errors.UNKNOWN_TOPIC_OR_PARTITION));
    }
}
