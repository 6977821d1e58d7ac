package io.piste.broker.fetchsession;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;

/**
 * An incremental fetch in a session: every partition of the session is read, from the offset it last got, and the
 * response carries only those with records, an error, or a high watermark or log start offset the client has not
 * been told yet. Partitions that returned records move to the end of the session's read order.
 *
 * <p>If another request advanced the session meanwhile (a client reusing a session it had given up), the response
 * is {@code INVALID_FETCH_SESSION_EPOCH} rather than a diff against state the client no longer has.
 */
final class IncrementalFetchContext implements FetchContext {

    private final FetchSession session;
    private final int expectedEpoch;
    private final List<CachedPartition> cached;
    private final List<PartitionFetch> partitions;

    /** Called holding the session's monitor, after the request was applied and the epoch advanced. */
    IncrementalFetchContext(
            FetchSession session, int expectedEpoch, List<CachedPartition> cached, List<PartitionFetch> partitions) {
        this.session = session;
        this.expectedEpoch = expectedEpoch;
        this.cached = cached;
        this.partitions = partitions;
    }

    @Override
    public List<PartitionFetch> partitions() {
        return partitions;
    }

    @Override
    public FetchResponseData updateAndGenerateResponse(FetchResponseData read) {
        synchronized (session) {
            if (session.epoch() != expectedEpoch) {
                return SessionErrorFetchContext.errorResponse(Errors.INVALID_FETCH_SESSION_EPOCH);
            }
            // New lists of what is kept: removing from the responses' array lists one by one is quadratic.
            int index = 0;
            List<FetchableTopicResponse> keptTopics = new ArrayList<>();
            for (FetchableTopicResponse topic : read.responses()) {
                List<PartitionData> kept = new ArrayList<>();
                for (PartitionData data : topic.partitions()) {
                    CachedPartition partition = cached.get(index++);
                    if (partition.maybeUpdateResponseData(data, true)) {
                        kept.add(data);
                        if (data.records() != null && data.records().sizeInBytes() > 0) {
                            session.moveToEnd(partition);
                        }
                    }
                }
                if (!kept.isEmpty()) {
                    keptTopics.add(topic.setPartitions(kept));
                }
            }
            read.setResponses(keptTopics);
            return read.setSessionId(session.id());
        }
    }
}
