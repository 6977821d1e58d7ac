package io.piste.broker.partition;

import io.piste.storage.index.AbortedTxn;
import io.piste.storage.log.FetchDataInfo;
import java.util.List;

/**
 * What {@link Partition#read} found: whole batches below the bound of its isolation, and the partition's offsets as
 * they were when that bound was taken, so that a fetch response never reports a high watermark below the records
 * it carries. For read_committed, the aborted transactions that overlap the records read (the consumer drops their
 * records); null for read_uncommitted.
 */
public record LogReadInfo(
        FetchDataInfo fetchedData,
        long highWatermark,
        long lastStableOffset,
        long logStartOffset,
        List<AbortedTxn> abortedTransactions) {}
