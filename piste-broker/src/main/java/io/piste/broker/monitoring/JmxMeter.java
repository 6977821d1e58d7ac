package io.piste.broker.monitoring;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A Kafka meter over one of the broker's counters: {@code Count} is the counter itself (one source of truth with the
 * Prometheus series); the 1, 5 and 15 minute rates are Yammer's exponentially weighted moving averages, ticked every
 * 5 seconds lazily when read, as Yammer's {@code Meter} ticks when marked or read. Thread-safe.
 */
final class JmxMeter implements MeterMBean {

    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final LongSupplier count;
    private final LongSupplier nanoClock;
    private final String eventType;
    private final long startNanos;
    private final double[] rates = new double[3];
    private final double[] alphas = {alpha(1), alpha(5), alpha(15)};
    private boolean initialised;
    private long lastTickNanos;
    private long countAtLastTick;

    JmxMeter(LongSupplier count, String eventType) {
        this(count, eventType, System::nanoTime);
    }

    JmxMeter(LongSupplier count, String eventType, LongSupplier nanoClock) {
        this.count = count;
        this.nanoClock = nanoClock;
        this.eventType = eventType;
        this.startNanos = nanoClock.getAsLong();
        this.lastTickNanos = startNanos;
        this.countAtLastTick = count.getAsLong();
    }

    private static double alpha(int minutes) {
        return 1 - Math.exp(-5.0 / 60 / minutes);
    }

    @Override
    public long getCount() {
        return count.getAsLong();
    }

    @Override
    public double getMeanRate() {
        double seconds = (nanoClock.getAsLong() - startNanos) / 1e9;
        return seconds <= 0 ? 0 : getCount() / seconds;
    }

    @Override
    public double getOneMinuteRate() {
        return rate(0);
    }

    @Override
    public double getFiveMinuteRate() {
        return rate(1);
    }

    @Override
    public double getFifteenMinuteRate() {
        return rate(2);
    }

    @Override
    public String getRateUnit() {
        return "SECONDS";
    }

    @Override
    public String getEventType() {
        return eventType;
    }

    private synchronized double rate(int which) {
        tickIfNeeded(nanoClock.getAsLong());
        return rates[which];
    }

    /**
     * The events since the last tick are spread evenly over the ticks due. Yammer's meter puts them all in the first
     * tick, but it ticks at each event; this one ticks only when read, so a reader polling every minute would
     * otherwise see the rates of one busy tick followed by eleven empty ones.
     */
    private void tickIfNeeded(long nowNanos) {
        long ticks = (nowNanos - lastTickNanos) / TICK_NANOS;
        if (ticks <= 0) {
            return;
        }
        long now = count.getAsLong();
        long events = now - countAtLastTick;
        countAtLastTick = now;
        lastTickNanos += ticks * TICK_NANOS;
        for (long t = 0; t < Math.min(ticks, 1_000); t++) {
            double instant = events / (ticks * 5.0);
            for (int i = 0; i < rates.length; i++) {
                if (initialised) {
                    rates[i] += alphas[i] * (instant - rates[i]);
                } else {
                    rates[i] = instant;
                }
            }
            initialised = true;
        }
    }
}
