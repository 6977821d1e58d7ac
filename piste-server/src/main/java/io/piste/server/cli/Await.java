package io.piste.server.cli;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Waits for an Admin result and names the thing asked about in the errors a user can act on ("unknown topic
 * 'orders'"), which Kafka's own messages do not. The wait itself is bounded by the client's API timeout.
 */
final class Await {
    private Await() {}

    /** The result for topic {@code topic}; unknown or existing topics become one-line errors naming it. */
    static <T> T topic(KafkaFuture<T> future, String topic) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnknownTopicOrPartitionException) {
                throw new CliException("unknown topic '" + topic + "'");
            }
            if (cause instanceof TopicExistsException) {
                throw new CliException("topic '" + topic + "' already exists");
            }
            throw e;
        }
    }

    /** The result for consumer group {@code group}; an unknown or non-empty group becomes a one-line error. */
    static <T> T group(KafkaFuture<T> future, String group) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof GroupIdNotFoundException) {
                throw new CliException("unknown consumer group '" + group + "'");
            }
            if (cause instanceof GroupNotEmptyException) {
                throw new CliException("consumer group '" + group + "' has active members; stop its consumers first");
            }
            throw e;
        }
    }

    static <T> T get(KafkaFuture<T> future) throws Exception {
        return future.get();
    }
}
