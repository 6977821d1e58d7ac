package io.piste.broker.fetchsession;

import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;

/**
 * What one fetch request means for fetch sessions: which partitions to read, and how to turn what was read into the
 * response (creating or updating a session on the way). Made by {@link FetchSessions#newContext}.
 *
 * <p>A delayed fetch may read several times; {@link #updateAndGenerateResponse} is called once, with the read that
 * is sent, from any thread.
 */
public interface FetchContext {

    /** The partitions to read, in order; the response to read must list their data in this order. */
    List<PartitionFetch> partitions();

    /**
     * The response to send for {@code read}, which holds one {@code PartitionData} per {@link #partitions()} entry in
     * the same order. May change and return {@code read}.
     */
    FetchResponseData updateAndGenerateResponse(FetchResponseData read);
}
