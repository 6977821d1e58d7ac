package io.piste.broker.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The Kafka-style rates of a meter read at long intervals, on an explicit clock. */
class JmxMeterTest {

    private final AtomicLong count = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final JmxMeter meter = new JmxMeter(count::get, "messages", nanos::get);

    @Test
    void shouldReportASteadyRateWhateverTheReadingInterval() {
        // 100 events a second for 30 minutes, read only once a minute: the one-minute rate must be about 100/s
        for (int minute = 0; minute < 30; minute++) {
            count.addAndGet(6_000);
            nanos.addAndGet(TimeUnit.MINUTES.toNanos(1));
            meter.getOneMinuteRate();
        }
        assertThat(meter.getOneMinuteRate()).isCloseTo(100.0, within(1.0));
        assertThat(meter.getFiveMinuteRate()).isCloseTo(100.0, within(5.0));
        assertThat(meter.getCount()).isEqualTo(180_000);
        assertThat(meter.getMeanRate()).isCloseTo(100.0, within(0.1));
    }

    @Test
    void shouldDecayOnceEventsStop() {
        count.addAndGet(6_000);
        nanos.addAndGet(TimeUnit.MINUTES.toNanos(1));
        double busy = meter.getOneMinuteRate();
        nanos.addAndGet(TimeUnit.MINUTES.toNanos(10));
        assertThat(meter.getOneMinuteRate()).isLessThan(busy / 100);
        assertThat(meter.getFifteenMinuteRate()).isPositive();
    }
}
