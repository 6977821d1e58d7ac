/**
 * The broker's meters: counters and histograms the hot paths increment (per-topic bytes and messages, requests,
 * errors and latency per API, group-commit flushes), allocation-free and lock-free; read at scrape time by
 * {@code io.piste.broker.monitoring}.
 */
package io.piste.broker.metrics;
