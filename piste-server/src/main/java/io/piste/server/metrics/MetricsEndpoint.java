package io.piste.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint of {@code metrics.http.listener}: {@code /metrics} (Prometheus text or protobuf, as the scraper
 * asks), {@code /health} (200 while the process serves HTTP) and {@code /ready} (503 until the broker says it is
 * ready, then 200). Any other path answers 404. One daemon thread serves it; {@link #close} stops the server and
 * that thread and releases the port. Thread-safe.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static final long CLOSE_WAIT_MS = 5_000;

    private final HTTPServer server;
    private final ExecutorService executor;
    /** The executor's thread(s), joined at close: a terminated executor's last thread may not have exited yet. */
    private final List<Thread> threads;

    private final String host;

    private MetricsEndpoint(HTTPServer server, ExecutorService executor, List<Thread> threads, String host) {
        this.server = server;
        this.executor = executor;
        this.threads = threads;
        this.host = host;
    }

    /**
     * Binds {@code listener} ({@code HOST:PORT}, port 0 for an ephemeral one) and serves {@code registry}; returns
     * null when {@code listener} is empty (the endpoint is off).
     *
     * @throws IllegalArgumentException naming the value if it is not {@code HOST:PORT}
     * @throws IOException if the address cannot be bound
     */
    public static MetricsEndpoint start(String listener, PrometheusRegistry registry, BooleanSupplier ready)
            throws IOException {
        if (listener.isEmpty()) {
            return null;
        }
        InetSocketAddress address = parse(listener);
        // Bounded: one thread, and a scrape that arrives while one runs waits for it.
        List<Thread> threads = new CopyOnWriteArrayList<>();
        ThreadPoolExecutor executor =
                new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(64), runnable -> {
                    Thread t = new Thread(runnable, "piste-metrics-http");
                    t.setDaemon(true);
                    threads.add(t);
                    return t;
                });
        try {
            HTTPServer server = HTTPServer.builder()
                    .hostname(address.getHostString())
                    .port(address.getPort())
                    .registry(registry)
                    .executorService(executor)
                    .registerHealthHandler(false)
                    .defaultHandler(exchange -> answerProbe(exchange, ready))
                    .buildAndStart();
            MetricsEndpoint endpoint = new MetricsEndpoint(server, executor, threads, address.getHostString());
            log.info("Metrics endpoint on http://{}/metrics (also /health, /ready)", endpoint.address());
            return endpoint;
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw new IOException("metrics.http.listener=" + listener + ": cannot bind: " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #start(String, PrometheusRegistry, BooleanSupplier)}; if {@code listener} cannot be bound and
     * {@code anyPortIfTaken} (the listener is the default, not one the user chose), an ephemeral port on the same host
     * instead, with a warning naming it: a second Piste process on one host, such as Kafka's sample controller and
     * broker configs started side by side, must not fail on a port it was never told of.
     */
    public static MetricsEndpoint start(
            String listener, boolean anyPortIfTaken, PrometheusRegistry registry, BooleanSupplier ready)
            throws IOException {
        try {
            return start(listener, registry, ready);
        } catch (IOException taken) {
            if (!anyPortIfTaken) {
                throw taken;
            }
            String host = listener.substring(0, listener.lastIndexOf(':'));
            MetricsEndpoint endpoint = start(host + ":0", registry, ready);
            log.warn(
                    "metrics.http.listener is not set and its default {} is taken (another Piste process on this "
                            + "host?): metrics on http://{}/metrics instead",
                    listener,
                    endpoint.address());
            return endpoint;
        }
    }

    static InetSocketAddress parse(String listener) {
        int colon = listener.lastIndexOf(':');
        if (colon <= 0 || colon == listener.length() - 1) {
            throw new IllegalArgumentException("metrics.http.listener must be HOST:PORT, got: " + listener);
        }
        String host = listener.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(listener.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metrics.http.listener must be HOST:PORT, got: " + listener, e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics.http.listener port out of range: " + listener);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static void answerProbe(HttpExchange exchange, BooleanSupplier ready) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            int status;
            String body;
            if (path.equals("/health")) {
                status = 200;
                body = "OK\n";
            } else if (path.equals("/ready")) {
                boolean isReady = ready.getAsBoolean();
                status = isReady ? 200 : 503;
                body = isReady ? "READY\n" : "NOT READY\n";
            } else {
                status = 404;
                body = "Not found: try /metrics, /health or /ready\n";
            }
            byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=us-ascii");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** The bound port (the ephemeral one when the listener asked for port 0). */
    public int port() {
        return server.getPort();
    }

    /** {@code host:port} as bound. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** Stops serving, ends the serving thread and releases the port. */
    @Override
    public void close() {
        server.close();
        executor.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS);
        try {
            boolean stopped = executor.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
            for (Thread thread : threads) {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                stopped &= !thread.isAlive();
            }
            if (!stopped) {
                log.warn("The metrics endpoint's thread did not stop within {} ms", CLOSE_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
