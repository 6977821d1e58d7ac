package io.piste.broker.monitoring;

import java.util.function.LongSupplier;

/** A Kafka gauge MBean whose {@code Value} is read from the broker's state when asked. Thread-safe. */
final class JmxGauge implements GaugeMBean {

    private final LongSupplier value;

    JmxGauge(LongSupplier value) {
        this.value = value;
    }

    @Override
    public Object getValue() {
        return value.getAsLong();
    }
}
