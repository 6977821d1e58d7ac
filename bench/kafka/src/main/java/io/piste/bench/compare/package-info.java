/**
 * The Java tools of {@code bench/compare}, run against Apache Kafka and Piste alike: start-up probe, fixed-rate
 * and one-in-flight latency workloads, rebalance timing, and the results table and chart.
 */
package io.piste.bench.compare;
