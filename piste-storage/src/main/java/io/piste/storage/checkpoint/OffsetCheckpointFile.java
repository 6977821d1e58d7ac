package io.piste.storage.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An offset per topic partition, e.g. {@code recovery-point-offset-checkpoint}, in Kafka's format:
 *
 * <pre>
 * 0
 * &lt;count&gt;
 * &lt;topic&gt; &lt;partition&gt; &lt;offset&gt;
 * ...
 * </pre>
 *
 * Writes are atomic and durable. Callers serialize writes to one file; reads may run any time.
 */
public final class OffsetCheckpointFile {
    private final Path file;

    public OffsetCheckpointFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void write(Map<TopicPartitionKey, Long> offsets) throws IOException {
        List<String> lines = new ArrayList<>(offsets.size());
        for (Map.Entry<TopicPartitionKey, Long> e : offsets.entrySet()) {
            lines.add(e.getKey().topic() + " " + e.getKey().partition() + " " + e.getValue());
        }
        byte[] bytes = CheckpointText.format(lines).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, ByteBuffer.wrap(bytes), true);
    }

    /** The offsets in the file; empty if the file does not exist; IOException if it is malformed. */
    public Map<TopicPartitionKey, Long> read() throws IOException {
        List<String[]> entries = CheckpointText.read(file, 3);
        Map<TopicPartitionKey, Long> result = new HashMap<>();
        if (entries == null) {
            return result;
        }
        for (String[] e : entries) {
            int partition = (int) CheckpointText.parseLong(file, e[1]);
            try {
                result.put(new TopicPartitionKey(e[0], partition), CheckpointText.parseLong(file, e[2]));
            } catch (IllegalArgumentException bad) {
                throw new IOException("malformed checkpoint entry: file=" + file + " reason=" + bad.getMessage());
            }
        }
        return result;
    }
}
