package io.piste.broker.handler;

import io.piste.broker.metadata.TopicImage;
import java.io.IOException;

/**
 * The internal topics whose partitions' leaders coordinate groups ({@code __consumer_offsets}) and transactions
 * ({@code __transaction_state}), each created at its first use with its own partition count and configs.
 */
public interface CoordinatorTopics {

    /** The offsets topic, created if it does not exist. */
    TopicImage offsets() throws IOException;

    /** The transaction state topic, created if it does not exist. */
    TopicImage transactions() throws IOException;
}
