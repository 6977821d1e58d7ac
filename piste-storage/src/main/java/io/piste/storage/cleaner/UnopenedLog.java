package io.piste.storage.cleaner;

import io.piste.storage.checkpoint.TopicPartitionKey;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A log of a compacted topic that was not opened since the start, as the broker lists it: its directory, its
 * checkpointed log start offset, its topic's settings now, and how to open it (null if it cannot be).
 */
public record UnopenedLog(
        TopicPartitionKey partition, Path dir, long logStartOffset, CleanerSettings settings, Opener opener) {

    /** Opens the log (once: it is then one of the open logs) and returns it as the cleaner sees it, or null. */
    public interface Opener {
        CleanableLog open() throws IOException;
    }
}
