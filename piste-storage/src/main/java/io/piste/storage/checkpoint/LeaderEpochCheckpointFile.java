package io.piste.storage.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code leader-epoch-checkpoint} of a partition directory, in Kafka's format:
 *
 * <pre>
 * 0
 * &lt;count&gt;
 * &lt;epoch&gt; &lt;startOffset&gt;
 * ...
 * </pre>
 *
 * Writes are atomic and durable. Callers serialize writes; reads may run any time.
 */
public final class LeaderEpochCheckpointFile {
    public static final String FILE_NAME = "leader-epoch-checkpoint";

    private final Path file;

    public LeaderEpochCheckpointFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void write(List<EpochEntry> entries) throws IOException {
        List<String> lines = new ArrayList<>(entries.size());
        for (EpochEntry e : entries) {
            lines.add(e.epoch() + " " + e.startOffset());
        }
        byte[] bytes = CheckpointText.format(lines).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, ByteBuffer.wrap(bytes), true);
    }

    /** The entries in file order; empty if the file does not exist; IOException if it is malformed. */
    public List<EpochEntry> read() throws IOException {
        List<String[]> lines = CheckpointText.read(file, 2);
        List<EpochEntry> result = new ArrayList<>();
        if (lines == null) {
            return result;
        }
        for (String[] e : lines) {
            result.add(
                    new EpochEntry((int) CheckpointText.parseLong(file, e[0]), CheckpointText.parseLong(file, e[1])));
        }
        return result;
    }
}
