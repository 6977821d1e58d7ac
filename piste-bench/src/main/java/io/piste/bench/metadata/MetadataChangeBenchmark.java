package io.piste.bench.metadata;

import io.piste.broker.metadata.MetadataChangeCheck;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.PartitionImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One checked change of 1,000 partition records (new leaders, as after a broker is fenced) applied to an image that
 * holds one topic of {@code partitions} partitions with three replicas each: what the quorum's state machine does
 * for each such change on every node, and how long an election of many partitions takes per 1,000.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class MetadataChangeBenchmark {

    @Param({"10000", "100000"})
    int partitions;

    private MetadataImage image;
    private List<MetadataRecord> change;

    @Setup
    public void setUp() {
        Uuid topicId = Uuid.randomUuid();
        List<MetadataRecord> setup = new ArrayList<>();
        for (int broker = 1; broker <= 3; broker++) {
            setup.add(new MetadataRecord.BrokerRegistration(broker, 1, Uuid.randomUuid(), "", List.of()));
        }
        setup.add(new MetadataRecord.Topic("big", topicId, partitions));
        List<List<Integer>> replicas = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            replicas.add(List.of(p % 3 + 1, (p + 1) % 3 + 1, (p + 2) % 3 + 1));
        }
        setup.add(new MetadataRecord.Assignment(topicId, 0, replicas));
        image = MetadataChangeCheck.apply(MetadataImage.EMPTY, setup);
        change = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int p = i * 3;
            PartitionImage current = image.partitions(topicId).get(p);
            List<Integer> rest = current.replicas().subList(1, 3);
            change.add(new MetadataRecord.PartitionState(
                    topicId, p, new PartitionImage(current.replicas(), rest.get(0), 1, 1, rest, List.of())));
        }
    }

    @Benchmark
    public MetadataImage applyChangeOf1000PartitionRecords() {
        return MetadataChangeCheck.apply(image, change);
    }
}
