package io.piste.bench.metrics;

import io.piste.broker.metrics.BrokerTopicMetrics;
import io.piste.broker.metrics.RequestMetrics;
import io.piste.broker.metrics.TopicMeters;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Everything the broker's meters add to one produce request of {@code partitions} batches, as the broker does it:
 * the two clock reads of {@code RequestContext}, {@code RequestMetrics.onAnswered} (request and version counters,
 * latency bucket, the walk of the answer's partition error codes) and, per batch, the topic's and all topics' message
 * and byte counters. Two threads share the meters, as two network threads do on this machine. The figure is set
 * against the broker's CPU per produced batch from {@code bench/compare} (docs/benchmarks.md, "Cost of the
 * metrics").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(2)
public class ProduceMetricsBenchmark {

    @Param({"1", "6"})
    int partitions;

    private final RequestMetrics requests = new RequestMetrics();
    private final BrokerTopicMetrics topics = new BrokerTopicMetrics();
    private TopicMeters meters;
    private ProduceResponseData response;

    @Setup
    public void setUp() {
        meters = topics.topic("bench");
        response = new ProduceResponseData();
        ProduceResponseData.TopicProduceResponse topic =
                new ProduceResponseData.TopicProduceResponse().setName("bench");
        for (int p = 0; p < partitions; p++) {
            topic.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(p));
        }
        response.responses().add(topic);
    }

    @Benchmark
    public void produceRequest() {
        long received = System.nanoTime();
        for (int p = 0; p < partitions; p++) {
            meters.recordAppended(16, 16 * 1024 + 61);
        }
        requests.onAnswered(ApiKeys.PRODUCE, (short) 12, response, System.nanoTime() - received);
    }
}
