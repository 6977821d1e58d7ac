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
 * and fsynced before the change is applied. On load, reading stops at the first torn or corrupt line and the
 * file is truncated there (the change it held was never acknowledged). Not thread-safe: the controller
 * serializes writes.
 */
final class MetadataLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetadataLog.class);
    static final String FILE_NAME = "metadata.log";

    private final FileChannel channel;

    private MetadataLog(FileChannel channel) {
        this.channel = channel;
    }

    static MetadataLog open(Path dir, List<MetadataRecord> replayed) throws IOException {
        DurableDirectories.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        // an append's fsync covers the file's content, not its name: make the name durable before any append
        AtomicFiles.fsyncDirectory(dir);
        long validBytes = readValid(Files.readAllBytes(file), replayed, file);
        if (validBytes < channel.size()) {
            log.warn("Truncating {} from {} to {} bytes at a torn or corrupt record", file, channel.size(), validBytes);
            try {
                channel.truncate(validBytes);
            } catch (IOException e) {
                log.warn("Could not truncate {}: {}", file, e.toString());
            }
        }
        channel.position(validBytes);
        return new MetadataLog(channel);
    }

    private static long readValid(byte[] bytes, List<MetadataRecord> out, Path file) {
        int pos = 0;
        while (pos < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', pos);
            if (end < 0 || end - pos < 10) {
                return pos;
            }
            String line = new String(bytes, pos, end - pos, StandardCharsets.UTF_8);
            String payload = line.substring(9);
            if (!line.substring(0, 8).equals(crcHex(payload))) {
                return pos;
            }
            try {
                out.add(MetadataRecord.decode(payload));
            } catch (RuntimeException e) {
                log.warn("Unreadable metadata record in {} at byte {}: {}", file, pos, e.toString());
                return pos;
            }
            pos = end + 1;
        }
        return pos;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String crcHex(String payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /** Appends and fsyncs the records; on failure the file is cut back so no partial change remains. */
    void append(List<MetadataRecord> records) throws IOException {
        StringBuilder text = new StringBuilder();
        for (MetadataRecord record : records) {
            String payload = record.encode();
            text.append(crcHex(payload)).append(' ').append(payload).append('\n');
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
