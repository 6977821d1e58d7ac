package io.piste.broker.fetchsession;

import java.util.Iterator;
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
    IncrementalFetchContext(FetchSession session, int expectedEpoch, List<CachedPartition> cached,
                            List<PartitionFetch> partitions) {
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
            int index = 0;
            Iterator<FetchableTopicResponse> topics = read.responses().iterator();
            while (topics.hasNext()) {
                FetchableTopicResponse topic = topics.next();
                Iterator<PartitionData> it = topic.partitions().iterator();
                while (it.hasNext()) {
                    PartitionData data = it.next();
                    CachedPartition partition = cached.get(index++);
                    if (!partition.maybeUpdateResponseData(data, true)) {
                        it.remove();
                    } else if (data.records() != null && data.records().sizeInBytes() > 0) {
                        session.moveToEnd(partition);
                    }
                }
                if (topic.partitions().isEmpty()) {
                    topics.remove();
                }
            }
            return read.setSessionId(session.id());
        }
    }
}
