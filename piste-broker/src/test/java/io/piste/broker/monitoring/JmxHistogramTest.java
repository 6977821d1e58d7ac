package io.piste.broker.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.piste.broker.metrics.LatencyHistogram;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Kafka's TotalTimeMs attributes from a bucket histogram, on an explicit clock. */
class JmxHistogramTest {

    private final LatencyHistogram histogram = LatencyHistogram.ofNanos();
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final JmxHistogram mbean = new JmxHistogram(() -> histogram, 1000, nanos::get);

    private void observeMillis(double millis, int times) {
        for (int i = 0; i < times; i++) {
            histogram.observe((long) (millis * 1_000_000));
        }
    }

    @Test
    void shouldInterpolatePercentilesWithinBucketsInMilliseconds() {
        observeMillis(3, 900); // bucket (2.5 ms, 5 ms]
        observeMillis(40, 100); // bucket (25 ms, 50 ms]
        assertThat(mbean.getCount()).isEqualTo(1000);
        assertThat(mbean.getMean()).isCloseTo((900 * 3 + 100 * 40) / 1000.0, within(0.001));
        assertThat(mbean.get50thPercentile()).isBetween(2.5, 5.0);
        assertThat(mbean.get75thPercentile()).isBetween(2.5, 5.0).isGreaterThan(mbean.get50thPercentile());
        assertThat(mbean.get95thPercentile()).isBetween(25.0, 50.0);
        assertThat(mbean.get99thPercentile()).isBetween(25.0, 50.0);
        assertThat(mbean.getMin()).isEqualTo(2.5);
        assertThat(mbean.getMax()).isEqualTo(50.0);
        assertThat(mbean.getStdDev()).isPositive();
    }

    @Test
    void shouldReportRecentObservationsOnceAMinuteHasPassed() {
        observeMillis(40, 1000);
        assertThat(mbean.get99thPercentile()).isBetween(25.0, 50.0);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(30));
        observeMillis(0.05, 10); // bucket [0, 0.1 ms]
        assertThat(mbean.get99thPercentile())
                .as("less than a minute since the first snapshot: everything counts")
                .isBetween(25.0, 50.0);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(31));
        observeMillis(0.05, 10);
        assertThat(mbean.get99thPercentile())
                .as("only what came in since the snapshot a minute ago")
                .isLessThanOrEqualTo(0.1);
        assertThat(mbean.getMax()).isEqualTo(0.1);
        assertThat(mbean.getMean()).as("since the start").isGreaterThan(30.0);
        assertThat(mbean.getCount()).isEqualTo(1020);
        nanos.addAndGet(TimeUnit.MINUTES.toNanos(5));
        assertThat(mbean.get99thPercentile())
                .as("nothing new since: what there is")
                .isBetween(25.0, 50.0);
    }

    @Test
    void shouldAnswerZerosBeforeTheFirstRequest() {
        JmxHistogram none = new JmxHistogram(() -> null, 1000, nanos::get);
        assertThat(none.getCount()).isZero();
        assertThat(none.getMean()).isZero();
        assertThat(none.get99thPercentile()).isZero();
        assertThat(none.getMax()).isZero();
    }
}
