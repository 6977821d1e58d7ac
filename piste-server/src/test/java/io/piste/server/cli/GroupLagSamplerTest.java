package io.piste.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The status {@code piste group describe} prints for given samples: the broker's rules, and the reason it gives. */
class GroupLagSamplerTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    private final GroupLagSampler window = new GroupLagSampler(null, "g", 3_000, 3);
    private final GroupLagSampler oneSample = new GroupLagSampler(null, "g", 0, 3);

    /** Samples one second apart, each a committed offset and a log end offset of partition t-0. */
    private static List<GroupLagSampler.Sample> samples(long[]... committedAndEnd) {
        List<GroupLagSampler.Sample> samples = new ArrayList<>();
        for (int i = 0; i < committedAndEnd.length; i++) {
            samples.add(new GroupLagSampler.Sample(
                    1_000L * i,
                    Map.of(TP, new OffsetAndMetadata(committedAndEnd[i][0])),
                    Map.of(TP, committedAndEnd[i][1])));
        }
        return samples;
    }

    @Test
    void shouldSayStalledWithTheWindowAndTheLag() {
        assertThat(window.evaluate(samples(new long[] {5, 1_205}, new long[] {5, 1_205}, new long[] {5, 1_205}), 1)
                        .line())
                .isEqualTo("STALLED: committed offsets did not move for 3 s while lag is 1,200");
    }

    @Test
    void shouldSayWarnWhenLagGrewAtEverySample() {
        assertThat(window.evaluate(samples(new long[] {5, 10}, new long[] {6, 20}, new long[] {7, 30}), 1)
                        .line())
                .isEqualTo("WARN: lag grew at every sample over 3 s, now 23");
    }

    @Test
    void shouldSayOkWhenTheGroupKeepsUpOrHasNoLag() {
        assertThat(window.evaluate(samples(new long[] {5, 20}, new long[] {15, 22}, new long[] {21, 23}), 1)
                        .status())
                .isEqualTo("OK");
        assertThat(window.evaluate(samples(new long[] {5, 5}, new long[] {5, 5}, new long[] {5, 5}), 0)
                        .line())
                .isEqualTo("OK: no lag");
    }

    @Test
    void shouldSayStoppedWithoutMembersWhateverTheSamples() {
        assertThat(oneSample.evaluate(samples(new long[] {5, 8}), 0).line())
                .isEqualTo("STOPPED: no members while lag is 3");
        assertThat(window.evaluate(samples(new long[] {5, 8}, new long[] {6, 8}, new long[] {7, 8}), 0)
                        .status())
                .isEqualTo("STOPPED");
    }

    @Test
    void shouldNotJudgeATrendFromOneSample() {
        assertThat(oneSample.evaluate(samples(new long[] {5, 8}), 2).line())
                .isEqualTo("LAGGING: lag is 3 with 2 member(s); one sample cannot tell OK, WARN or STALLED"
                        + " (use --status-window)");
        assertThat(oneSample.evaluate(samples(new long[] {8, 8}), 2).line()).isEqualTo("OK: no lag");
    }

    @Test
    void shouldWriteFractionsOfASecond() {
        assertThat(GroupLagSampler.seconds(1_500)).isEqualTo("1.5 s");
        assertThat(GroupLagSampler.seconds(1_000)).isEqualTo("1 s");
    }
}
