package io.piste.broker.partition;

import io.piste.storage.log.FetchDataInfo;

/**
 * What {@link Partition#read} found: whole batches below the bound of its isolation, and the partition's offsets as
 * they were when that bound was taken, so that a fetch response never reports a high watermark below the records
 * it carries.
 */
public record LogReadInfo(FetchDataInfo fetchedData, long highWatermark, long lastStableOffset, long logStartOffset) {}
