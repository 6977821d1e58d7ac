package io.piste.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MetricsEndpointTest {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void shouldAnswerHealthAlwaysAndReadyOnlyWhenReady() throws Exception {
        AtomicBoolean ready = new AtomicBoolean();
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new JvmMetricsCollector());
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1:0", registry, ready::get)) {
            assertThat(endpoint.port()).isPositive();
            assertThat(get(endpoint, "/health").statusCode()).isEqualTo(200);
            assertThat(get(endpoint, "/ready").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get(endpoint, "/ready").statusCode()).isEqualTo(200);
            assertThat(get(endpoint, "/nothing").statusCode()).isEqualTo(404);
            HttpResponse<String> metrics = get(endpoint, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void shouldReleaseItsPortAndThreadWhenClosed() throws Exception {
        MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1:0", new PrometheusRegistry(), () -> true);
        int port = endpoint.port();
        assertThat(get(endpoint, "/health").statusCode()).isEqualTo(200);
        endpoint.close();
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", port));
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("piste-metrics-http") && t.isAlive());
    }

    @Test
    void shouldTakeAnotherPortOnlyForATakenDefaultListener() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            String listener = "127.0.0.1:" + taken.getLocalPort();
            assertThatThrownBy(() -> MetricsEndpoint.start(listener, false, new PrometheusRegistry(), () -> true))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(listener);
            try (MetricsEndpoint endpoint =
                    MetricsEndpoint.start(listener, true, new PrometheusRegistry(), () -> true)) {
                assertThat(endpoint.port()).isPositive().isNotEqualTo(taken.getLocalPort());
                assertThat(get(endpoint, "/health").statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void shouldServeNothingWhenTheListenerIsEmpty() throws IOException {
        assertThat(MetricsEndpoint.start("", new PrometheusRegistry(), () -> true))
                .isNull();
    }

    @Test
    void shouldRefuseAListenerThatIsNotHostAndPort() {
        assertThatThrownBy(() -> MetricsEndpoint.start("9644", new PrometheusRegistry(), () -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("9644");
        assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1:x", new PrometheusRegistry(), () -> true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static HttpResponse<String> get(MetricsEndpoint endpoint, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
