package io.piste.broker.metrics;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The error codes an answer carries, as Kafka's {@code ErrorsPerSec} counts them: for Produce and Fetch every
 * partition's (and Fetch's top-level) code; for every other API its top-level {@code errorCode} field, where its
 * message has one (the per-item codes of batched admin answers are not counted). Thread-safe.
 */
final class ResponseErrors {

    /** Told of each non-zero code. */
    public interface Sink {
        void error(short code);
    }

    private static final MethodHandle NO_ERROR_FIELD =
            MethodHandles.constant(short.class, (short) 0).asType(MethodType.methodType(short.class));

    /** Per API id, the getter of its top-level error code (resolved at first use; a benign race). */
    private final MethodHandle[] topLevel = new MethodHandle[maxApiId() + 1];

    void forEachError(ApiKeys apiKey, ApiMessage response, Sink sink) {
        if (response instanceof ProduceResponseData produce) {
            Iterator<ProduceResponseData.TopicProduceResponse> topics =
                    produce.responses().iterator();
            while (topics.hasNext()) {
                List<ProduceResponseData.PartitionProduceResponse> partitions =
                        topics.next().partitionResponses();
                for (int i = 0; i < partitions.size(); i++) {
                    report(partitions.get(i).errorCode(), sink);
                }
            }
        } else if (response instanceof FetchResponseData fetch) {
            report(fetch.errorCode(), sink);
            List<FetchResponseData.FetchableTopicResponse> topics = fetch.responses();
            for (int t = 0; t < topics.size(); t++) {
                List<FetchResponseData.PartitionData> partitions = topics.get(t).partitions();
                for (int i = 0; i < partitions.size(); i++) {
                    report(partitions.get(i).errorCode(), sink);
                }
            }
        } else {
            report(topLevelCode(apiKey, response), sink);
        }
    }

    private static void report(short code, Sink sink) {
        if (code != 0) {
            sink.error(code);
        }
    }

    private short topLevelCode(ApiKeys apiKey, ApiMessage response) {
        MethodHandle getter = topLevel[apiKey.id];
        if (getter == null) {
            getter = resolve(response.getClass());
            topLevel[apiKey.id] = getter;
        }
        if (getter == NO_ERROR_FIELD) {
            return 0;
        }
        try {
            return (short) getter.invoke(response);
        } catch (Throwable e) {
            return 0;
        }
    }

    private static MethodHandle resolve(Class<?> messageClass) {
        try {
            return MethodHandles.publicLookup()
                    .findVirtual(messageClass, "errorCode", MethodType.methodType(short.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return NO_ERROR_FIELD;
        }
    }

    static int maxApiId() {
        int max = 0;
        for (ApiKeys key : ApiKeys.values()) {
            max = Math.max(max, key.id);
        }
        return max;
    }
}
