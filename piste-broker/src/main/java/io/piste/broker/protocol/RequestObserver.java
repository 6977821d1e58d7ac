package io.piste.broker.protocol;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Told of each request as it is answered (metrics): its API and version, its answer (null when it has none, acks=0)
 * and how long it took from its decoding. Called on whichever thread answers; must be cheap and thread-safe.
 */
public interface RequestObserver {

    RequestObserver NONE = (apiKey, apiVersion, response, nanos) -> {};

    void onAnswered(ApiKeys apiKey, short apiVersion, ApiMessage response, long nanos);
}
