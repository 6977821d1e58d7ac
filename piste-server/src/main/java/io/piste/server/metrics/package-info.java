/**
 * The broker's HTTP endpoint for monitoring: Prometheus metrics ({@code /metrics}), liveness ({@code /health}) and
 * readiness ({@code /ready}), served by the Prometheus Java client's own HTTP server, plus the JVM's metrics.
 */
package io.piste.server.metrics;
