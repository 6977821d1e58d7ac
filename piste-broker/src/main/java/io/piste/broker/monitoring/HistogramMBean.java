package io.piste.broker.monitoring;

/**
 * The attributes of a Kafka histogram MBean (Yammer's {@code JmxReporter.HistogramMBean}), such as {@code
 * kafka.network:type=RequestMetrics,name=TotalTimeMs}: in milliseconds for a time.
 */
public interface HistogramMBean {
    long getCount();

    double getMin();

    double getMax();

    double getMean();

    double getStdDev();

    double get50thPercentile();

    double get75thPercentile();

    double get95thPercentile();

    double get98thPercentile();

    double get99thPercentile();

    double get999thPercentile();
}
