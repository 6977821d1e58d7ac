/**
 * What a Prometheus scrape of the broker reads: the meters of {@code io.piste.broker.metrics} and, at scrape time,
 * the state of partitions, purgatories, fetch sessions and consumer groups, under the names Kafka's JMX exporter
 * rules and the Kafka lag exporters made known ({@code docs/monitoring.md}).
 */
package io.piste.broker.monitoring;
