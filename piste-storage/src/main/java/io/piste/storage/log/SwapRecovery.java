package io.piste.storage.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At load, before the segments are listed: finishes what a crash interrupted in a {@link SegmentSwap}, as Kafka's
 * LogLoader does. A {@code .cleaned} file is a cleaning that never reached its swap: deleted, the old segments are
 * whole. A {@code .log.swap} file was fsynced whole before its rename: the swap is completed by deleting the segment
 * files whose base offset lies in the swap segment's offset range (the old segments, not yet renamed to
 * {@code .deleted}) and renaming the swap file to its final name. Index {@code .swap} files are deleted; the
 * indexes of the swapped-in segment are rebuilt by the load. Trusts nothing: a swap file whose batches do not
 * validate is deleted if the old segments are still there, and otherwise kept for the load's recovery to cut.
 */
final class SwapRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(SwapRecovery.class);

    private SwapRecovery() {}

    static void completeInterruptedSwaps(Path dir, FileChannelFactory files) throws IOException {
        List<Long> swaps = new ArrayList<>();
        List<Path> stray = new ArrayList<>();
        long minCleaned = Long.MAX_VALUE;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (name.endsWith(LogFiles.CLEANED_SUFFIX)) {
                    stray.add(p);
                    minCleaned = Math.min(minCleaned, leadingOffset(name));
                } else if (name.endsWith(LogFiles.SWAP_SUFFIX)) {
                    long base = LogFiles.offsetFromFileName(
                            name.substring(0, name.length() - LogFiles.SWAP_SUFFIX.length()), LogFiles.LOG_SUFFIX);
                    if (base >= 0) {
                        swaps.add(base);
                    } else {
                        stray.add(p);
                    }
                }
            }
        }
        if (swaps.isEmpty() && stray.isEmpty()) {
            return;
        }
        for (Path p : stray) {
            LOG.info("Deleting file of an interrupted cleaning: file={}", p);
            Files.deleteIfExists(p);
        }
        Collections.sort(swaps);
        for (long base : swaps) {
            Path swap = LogFiles.withSuffix(LogFiles.logFile(dir, base), LogFiles.SWAP_SUFFIX);
            // Kafka's rule: a swap at or above a .cleaned file may belong to a multi-segment operation cut short.
            long next = base >= minCleaned ? -1 : validatedNextOffset(swap, base);
            if (next < 0 && Files.exists(LogFiles.logFile(dir, base))) {
                LOG.warn("Deleting a swap file that does not validate; the segments it replaced stay: file={}", swap);
                Files.deleteIfExists(swap);
                continue;
            }
            deleteReplaced(dir, base, next < 0 ? base + 1 : next);
            SegmentSwap.move(swap, LogFiles.logFile(dir, base));
            LOG.info("Completed an interrupted swap of a cleaned segment: file={} nextOffset={}", swap, next);
        }
        files.fsyncDirectory(dir);
    }

    /** Deletes the segment files (not .swap) whose base offset is in [from, to). */
    private static void deleteReplaced(Path dir, long from, long to) throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (name.endsWith(LogFiles.SWAP_SUFFIX)) {
                    continue;
                }
                long offset = leadingOffset(name);
                if (offset >= from && offset < to) {
                    LOG.info("Deleting a segment file replaced by a cleaned one: file={}", p);
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The offset after the swap file's last batch if every batch in it validates (CRC included), else -1. */
    private static long validatedNextOffset(Path swap, long base) throws IOException {
        BatchScanner scanner = new BatchScanner();
        try (FileChannel channel = FileChannel.open(swap)) {
            long size = channel.size();
            long position = 0;
            long next = base;
            while (position < size) {
                if (scanner.check(channel, position, size, next, base) != null) {
                    return -1;
                }
                next = scanner.view().lastOffset() + 1;
                position += scanner.view().sizeInBytes();
            }
            return next > base ? next : -1;
        }
    }

    /** The 20-digit offset a segment-related file name starts with, or -1. */
    private static long leadingOffset(String name) {
        int dot = name.indexOf('.');
        if (dot != 20) {
            return -1;
        }
        for (int i = 0; i < 20; i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return -1;
            }
        }
        return Long.parseLong(name.substring(0, 20));
    }
}
