package io.piste.broker.fetchsession;

import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * A fetch whose session cannot be used (unknown id, wrong epoch, topic ids used inconsistently): nothing is read and
 * the answer is the top-level error with session id 0. The client then starts over with a full fetch.
 */
final class SessionErrorFetchContext implements FetchContext {

    private final Errors error;

    SessionErrorFetchContext(Errors error) {
        this.error = error;
    }

    Errors error() {
        return error;
    }

    @Override
    public List<PartitionFetch> partitions() {
        return List.of();
    }

    @Override
    public FetchResponseData updateAndGenerateResponse(FetchResponseData read) {
        return errorResponse(error);
    }

    static FetchResponseData errorResponse(Errors error) {
        return new FetchResponseData().setErrorCode(error.code()).setSessionId(FetchMetadata.INVALID_SESSION_ID);
    }
}
