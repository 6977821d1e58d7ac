package io.piste.broker.fetchsession;

import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.requests.FetchMetadata;

/** A fetch outside any session (fetch before v7, epoch -1, or no room in the cache): every partition, session id 0. */
final class SessionlessFetchContext implements FetchContext {

    private final List<PartitionFetch> partitions;

    SessionlessFetchContext(List<PartitionFetch> partitions) {
        this.partitions = partitions;
    }

    @Override
    public List<PartitionFetch> partitions() {
        return partitions;
    }

    @Override
    public FetchResponseData updateAndGenerateResponse(FetchResponseData read) {
        return read.setSessionId(FetchMetadata.INVALID_SESSION_ID);
    }
}
