package io.piste.broker.metrics;

import io.piste.broker.protocol.RequestObserver;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Per API (Kafka's {@code RequestMetrics} with a {@code request} tag): the requests answered per version, the errors
 * their answers carried by error code, and the time from decoding to answer (Kafka's {@code TotalTimeMs}). Meters of
 * an API are created at its first request, counters of a version or an error at its first occurrence (and a
 * {@link Listener} told of them, as Kafka registers its per-version and per-error meters then); recording is then a
 * few {@link LongAdder} increments. Thread-safe.
 */
public final class RequestMetrics implements RequestObserver {

    /** Told of each counter of a version or an error as it is created, with a reader of its count. */
    public interface Listener {
        /** Told nothing: before a listener is set, and after it is done. */
        Listener NONE = new Listener() {
            @Override
            public void versionAdded(ApiKeys apiKey, short version, LongSupplier count) {}

            @Override
            public void errorAdded(ApiKeys apiKey, Errors error, LongSupplier count) {}
        };

        void versionAdded(ApiKeys apiKey, short version, LongSupplier count);

        void errorAdded(ApiKeys apiKey, Errors error, LongSupplier count);
    }

    /** The meters of one API. */
    public final class ApiMeters implements ResponseErrors.Sink {
        private final ApiKeys apiKey;
        private final LongAdder requests = new LongAdder();
        /** By version; a version past them (none: the decoder refuses it) counts only in the total. */
        private final LazyCounters byVersion;

        private final LatencyHistogram totalTime = LatencyHistogram.ofNanos();
        /** By {@code errorCode + 1} (UNKNOWN_SERVER_ERROR is -1). */
        private final LazyCounters errors;

        private ApiMeters(ApiKeys apiKey) {
            this.apiKey = apiKey;
            this.byVersion =
                    new LazyCounters(apiKey.latestVersion(true) + 1, version -> tellVersion(listener, version));
            this.errors = new LazyCounters(maxErrorCode() + 2, index -> tellError(listener, index));
        }

        public long requests() {
            return requests.sum();
        }

        /** The requests answered at {@code version}; 0 if none was. */
        public long requests(short version) {
            return byVersion.get(version);
        }

        /** The versions with at least one request answered, ascending. */
        public short[] versions() {
            int n = 0;
            short[] versions = new short[byVersion.size()];
            for (short v = 0; v < byVersion.size(); v++) {
                if (byVersion.used(v)) {
                    versions[n++] = v;
                }
            }
            return Arrays.copyOf(versions, n);
        }

        public LatencyHistogram totalTime() {
            return totalTime;
        }

        /** The count of answers (or answered partitions, or items) with {@code error}; 0 if it never occurred. */
        public long errors(Errors error) {
            return errors.get(error.code() + 1);
        }

        /** Counts one answer (or answered partition, or item) with error {@code code}. */
        @Override
        public void error(short code) {
            int index = code + 1;
            if (index < 0 || index >= errors.size()) {
                index = 0; // a code this client library does not know: counted as UNKNOWN_SERVER_ERROR
            }
            errors.increment(index);
        }

        private void answered(short version) {
            requests.increment();
            if (version >= 0 && version < byVersion.size()) {
                byVersion.increment(version);
            }
        }

        private void tellVersion(Listener to, int version) {
            to.versionAdded(apiKey, (short) version, () -> byVersion.get(version));
        }

        private void tellError(Listener to, int index) {
            to.errorAdded(apiKey, Errors.forCode((short) (index - 1)), () -> errors.get(index));
        }

        private void replayTo(Listener newListener) {
            for (int version = 0; version < byVersion.size(); version++) {
                if (byVersion.used(version)) {
                    tellVersion(newListener, version);
                }
            }
            for (int index = 0; index < errors.size(); index++) {
                if (errors.used(index)) {
                    tellError(newListener, index);
                }
            }
        }
    }

    private final AtomicReferenceArray<ApiMeters> byApi = new AtomicReferenceArray<>(ResponseErrors.maxApiId() + 1);
    private final ResponseErrors responseErrors = new ResponseErrors();
    private volatile Listener listener = Listener.NONE;

    @Override
    public void onAnswered(ApiKeys apiKey, short apiVersion, ApiMessage response, long nanos) {
        ApiMeters meters = api(apiKey);
        meters.answered(apiVersion);
        meters.totalTime.observe(nanos);
        if (response != null) {
            responseErrors.forEachError(response, meters);
        }
    }

    /** The meters of {@code apiKey}, or null if no request of it was answered yet. */
    public ApiMeters of(ApiKeys apiKey) {
        return byApi.get(apiKey.id);
    }

    /**
     * From now on {@code newListener} is told of each new counter; it is told of the existing ones at once (a counter
     * created meanwhile may be told twice).
     */
    public void setListener(Listener newListener) {
        listener = newListener;
        for (int id = 0; id < byApi.length(); id++) {
            ApiMeters meters = byApi.get(id);
            if (meters != null) {
                meters.replayTo(newListener);
            }
        }
    }

    private ApiMeters api(ApiKeys apiKey) {
        ApiMeters meters = byApi.get(apiKey.id);
        if (meters == null) {
            byApi.compareAndSet(apiKey.id, null, new ApiMeters(apiKey));
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
