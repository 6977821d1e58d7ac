package io.piste.broker.monitoring;

/**
 * The attributes of a Kafka meter MBean (Yammer's {@code JmxReporter.MeterMBean}): the count and its exponentially
 * weighted rates per second.
 */
public interface MeterMBean {
    long getCount();

    double getMeanRate();

    double getOneMinuteRate();

    double getFiveMinuteRate();

    double getFifteenMinuteRate();

    String getRateUnit();

    String getEventType();
}
