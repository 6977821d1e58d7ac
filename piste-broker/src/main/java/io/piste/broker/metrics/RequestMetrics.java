package io.piste.broker.metrics;

import io.piste.broker.protocol.RequestObserver;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Per API (Kafka's {@code RequestMetrics} with a {@code request} tag): the requests answered, the errors their
 * answers carried by error code, and the time from decoding to answer (Kafka's {@code TotalTimeMs}). Meters of an
 * API are created at its first request, error counters at an error's first occurrence; recording is then a few
 * {@link LongAdder} increments. Thread-safe.
 */
public final class RequestMetrics implements RequestObserver {

    /** The meters of one API. */
    public static final class ApiMeters implements ResponseErrors.Sink {
        private final LongAdder requests = new LongAdder();
        private final LatencyHistogram totalTime = LatencyHistogram.ofNanos();
        /** By {@code errorCode + 1} (UNKNOWN_SERVER_ERROR is -1). */
        private final AtomicReferenceArray<LongAdder> errors = new AtomicReferenceArray<>(maxErrorCode() + 2);

        public long requests() {
            return requests.sum();
        }

        public LatencyHistogram totalTime() {
            return totalTime;
        }

        /** The count of answers (or answered partitions) with {@code error}; 0 if it never occurred. */
        public long errors(Errors error) {
            int index = error.code() + 1;
            LongAdder count = index < errors.length() ? errors.get(index) : null;
            return count == null ? 0 : count.sum();
        }

        /** Counts one answer (or answered partition) with error {@code code}. */
        @Override
        public void error(short code) {
            int index = code + 1;
            if (index < 0 || index >= errors.length()) {
                index = 0; // a code this client library does not know: counted as UNKNOWN_SERVER_ERROR
            }
            LongAdder count = errors.get(index);
            if (count == null) {
                errors.compareAndSet(index, null, new LongAdder());
                count = errors.get(index);
            }
            count.increment();
        }
    }

    private final AtomicReferenceArray<ApiMeters> byApi = new AtomicReferenceArray<>(ResponseErrors.maxApiId() + 1);
    private final ResponseErrors responseErrors = new ResponseErrors();

    @Override
    public void onAnswered(ApiKeys apiKey, ApiMessage response, long nanos) {
        ApiMeters meters = api(apiKey);
        meters.requests.increment();
        meters.totalTime.observe(nanos);
        if (response != null) {
            responseErrors.forEachError(apiKey, response, meters);
        }
    }

    /** The meters of {@code apiKey}, or null if no request of it was answered yet. */
    public ApiMeters of(ApiKeys apiKey) {
        return byApi.get(apiKey.id);
    }

    private ApiMeters api(ApiKeys apiKey) {
        ApiMeters meters = byApi.get(apiKey.id);
        if (meters == null) {
            byApi.compareAndSet(apiKey.id, null, new ApiMeters());
            meters = byApi.get(apiKey.id);
        }
        return meters;
    }

    private static int maxErrorCode() {
        int max = 0;
        for (Errors error : Errors.values()) {
            max = Math.max(max, error.code());
        }
        return max;
    }
}
