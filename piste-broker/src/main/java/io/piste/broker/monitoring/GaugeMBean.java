package io.piste.broker.monitoring;

/** The attribute of a Kafka gauge MBean (Yammer's {@code JmxReporter.GaugeMBean}). */
public interface GaugeMBean {
    Object getValue();
}
