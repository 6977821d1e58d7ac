package io.piste.broker.metrics;

import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The error codes an answer carries, as Kafka's {@code ErrorsPerSec} counts them: every {@code errorCode} of the
 * answer, at every level (each partition's of a Produce or Fetch, each item's of a batched admin answer such as
 * CreateTopics, and the answer's own). Produce and Fetch, the hot ones, are walked by hand; the others by
 * {@link ErrorCodeFields}. Thread-safe.
 */
final class ResponseErrors {

    /** Told of each non-zero code. */
    public interface Sink {
        void error(short code);
    }

    void forEachError(ApiMessage response, Sink sink) {
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
            ErrorCodeFields.forEach(response, sink);
        }
    }

    private static void report(short code, Sink sink) {
        if (code != 0) {
            sink.error(code);
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
