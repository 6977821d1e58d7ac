package io.piste.broker.metadata;

import io.piste.storage.checkpoint.AtomicFiles;
import io.piste.storage.checkpoint.DurableDirectories;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single node's metadata log: one record per line, {@code <crc32c as 8 hex digits> <record>\n}, appended
 * and fsynced before the change is applied; a change of several records is preceded by a {@code CHANGE <count>}
 * line, so that it loads whole or not at all. On load ({@link MetadataLogLoader}) a torn tail, what a crash during
 * the last append leaves, is cut off and its bytes kept beside the log in {@code metadata.log.torn-<position>};
 * any other record that does not read back stops the start-up with the file and position named, and the file is
 * left as it is. Not thread-safe: the controller serializes writes.
 */
final class MetadataLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetadataLog.class);
    static final String FILE_NAME = "metadata.log";
    static final String TORN_TAIL_PREFIX = FILE_NAME + ".torn-";
    /** The header line of a change of several records: {@code CHANGE <count>} ({@link MetadataLogLoader}). */
    static final String CHANGE_HEADER = "CHANGE";
    /** The most records one change may hold; a header announcing more is damage. */
    static final int MAX_CHANGE_RECORDS = 1000;
    /** More kept torn tails at one position than this means a loop, not a crash: stop rather than fill the disk. */
    private static final int MAX_TORN_TAILS_PER_POSITION = 100;

    private final FileChannel channel;

    private MetadataLog(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Opens the log in {@code dir}, creating it if needed, and adds its records to {@code replayed}.
     *
     * @throws CorruptMetadataLogException when a record before the tail does not read back, or is of a type or
     *     version this broker does not know
     */
    static MetadataLog open(Path dir, List<MetadataRecord> replayed) throws IOException {
        DurableDirectories.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            // The first change is acknowledged once its bytes are fsynced: the file's name must be durable too,
            // or a power cut could take the whole log, and every topic with it. Done at every open, not only when
            // the file is created: a crash before that sync leaves a file whose name may not be durable yet.
            AtomicFiles.fsyncDirectory(dir.toAbsolutePath());
            AtomicFiles.fsyncDirectory(dir.toAbsolutePath().getParent());
            byte[] bytes = Files.readAllBytes(file);
            MetadataLogLoader.Loaded loaded = MetadataLogLoader.load(bytes, file, replayed);
            int wholeBytes = loaded.wholeBytes();
            if (wholeBytes < bytes.length) {
                keepTornTail(file, bytes, wholeBytes);
            }
            long end = wholeBytes;
            if (loaded.newlineMissing()) {
                ByteBuffer newline = ByteBuffer.wrap(new byte[] {'\n'});
                while (newline.hasRemaining()) {
                    channel.write(newline, end);
                }
                end++;
                log.warn("Wrote the missing newline after the last record of {}, at byte {}", file, wholeBytes);
            }
            if (end != bytes.length || loaded.newlineMissing()) {
                channel.truncate(end);
                channel.force(true);
            }
            channel.position(end);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new MetadataLog(channel);
    }

    /** Keeps the bytes of a torn tail, which the caller then cuts, beside the log (fsynced). */
    private static void keepTornTail(Path file, byte[] bytes, int validBytes) throws IOException {
        Path kept = file.resolveSibling(TORN_TAIL_PREFIX + validBytes);
        for (int n = 1; Files.exists(kept); n++) {
            if (n > MAX_TORN_TAILS_PER_POSITION) {
                throw new IOException("Metadata log " + file + " has a torn tail at byte " + validBytes + " again, and "
                        + MAX_TORN_TAILS_PER_POSITION + " kept tails at that position already");
            }
            kept = file.resolveSibling(TORN_TAIL_PREFIX + validBytes + "." + n);
        }
        AtomicFiles.write(kept, ByteBuffer.wrap(bytes, validBytes, bytes.length - validBytes), true);
        log.warn(
                "Cutting the torn tail of {} at byte {}: {} bytes that a crash during the last append left; they"
                        + " are kept in {}",
                file,
                validBytes,
                bytes.length - validBytes,
                kept);
    }

    private static String crcHex(String payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    private static void appendLine(StringBuilder text, String payload) {
        text.append(crcHex(payload)).append(' ').append(payload).append('\n');
    }

    /** Appends and fsyncs the records, one change (applied whole or not at all); on failure the file is cut back so no partial change remains. */
    void append(List<MetadataRecord> records) throws IOException {
        if (records.isEmpty() || records.size() > MAX_CHANGE_RECORDS) {
            throw new IllegalArgumentException(
                    "a change holds 1.." + MAX_CHANGE_RECORDS + " records, not " + records.size());
        }
        StringBuilder text = new StringBuilder();
        if (records.size() > 1) {
            appendLine(text, CHANGE_HEADER + " " + records.size());
        }
        for (MetadataRecord record : records) {
            appendLine(text, record.encode());
        }
        long before = channel.position();
        try {
            ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(true);
        } catch (IOException e) {
            try {
                channel.truncate(before);
                channel.position(before);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    static List<MetadataRecord> list(MetadataRecord... records) {
        return new ArrayList<>(List.of(records));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
