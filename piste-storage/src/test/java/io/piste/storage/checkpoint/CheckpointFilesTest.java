package io.piste.storage.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFilesTest {
    @TempDir
    Path dir;

    @Test
    void shouldRoundTripOffsetCheckpointInKafkaFormat() throws Exception {
        OffsetCheckpointFile file = new OffsetCheckpointFile(dir.resolve("recovery-point-offset-checkpoint"));
        Map<TopicPartitionKey, Long> offsets = Map.of(new TopicPartitionKey("orders", 0), 42L);

        file.write(offsets);

        assertThat(file.read()).isEqualTo(offsets);
        assertThat(Files.readString(file.file())).isEqualTo("0\n1\norders 0 42\n");
        assertThat(Files.exists(dir.resolve("recovery-point-offset-checkpoint.tmp")))
                .isFalse();
    }

    @Test
    void shouldReplaceContentOnEachWrite() throws Exception {
        OffsetCheckpointFile file = new OffsetCheckpointFile(dir.resolve("cp"));
        file.write(Map.of(new TopicPartitionKey("a", 0), 1L, new TopicPartitionKey("b", 3), 2L));

        file.write(Map.of(new TopicPartitionKey("a", 0), 5L));

        assertThat(file.read()).containsExactly(Map.entry(new TopicPartitionKey("a", 0), 5L));
    }

    @Test
    void shouldReadMissingFileAsEmpty() throws Exception {
        assertThat(new OffsetCheckpointFile(dir.resolve("missing")).read()).isEmpty();
    }

    @Test
    void shouldRejectMalformedFile() throws Exception {
        Path path = dir.resolve("bad");
        OffsetCheckpointFile file = new OffsetCheckpointFile(path);
        Files.writeString(path, "0\n2\norders 0 42\n");
        assertThatThrownBy(file::read).isInstanceOf(IOException.class).hasMessageContaining("entries=2");
        Files.writeString(path, "1\n0\n");
        assertThatThrownBy(file::read).isInstanceOf(IOException.class).hasMessageContaining("version");
        Files.writeString(path, "0\n1\norders x 42\n");
        assertThatThrownBy(file::read).isInstanceOf(IOException.class).hasMessageContaining("value=x");
    }

    @Test
    void shouldRejectEntriesThatDoNotSplitIntoTheirFields() throws Exception {
        Path path = dir.resolve("bad");
        OffsetCheckpointFile file = new OffsetCheckpointFile(path);
        for (String entry : List.of("orders  0 42", "orders 0", "orders 0 42 7", "orders 0 ")) {
            Files.writeString(path, "0\n1\n" + entry + "\n");
            assertThatThrownBy(file::read).as(entry).isInstanceOf(IOException.class);
        }
        Files.writeString(path, "0\n1000000\norders 0 42\n");
        assertThatThrownBy(file::read)
                .as("a count larger than the file could hold")
                .isInstanceOf(IOException.class)
                .hasMessageContaining("entries=1000000");
        Files.write(path, new byte[] {'0', '\n', '1', '\n', 'o', (byte) 0xff, ' ', '0', ' ', '1', '\n'});
        assertThatThrownBy(file::read).as("bytes that are not UTF-8").isInstanceOf(IOException.class);
    }

    @Test
    void shouldReadLinesEndedByCarriageReturnsAndTrimmed() throws Exception {
        Path path = dir.resolve("crlf");
        Files.writeString(path, "0\r\n2\r\norders 0 42\r\n  logs 3 7  \r\n");

        assertThat(new OffsetCheckpointFile(path).read())
                .isEqualTo(Map.of(new TopicPartitionKey("orders", 0), 42L, new TopicPartitionKey("logs", 3), 7L));
    }

    @Test
    void shouldRoundTripLeaderEpochCheckpoint() throws Exception {
        LeaderEpochCheckpointFile file =
                new LeaderEpochCheckpointFile(dir.resolve(LeaderEpochCheckpointFile.FILE_NAME));

        file.write(List.of(new EpochEntry(0, 0), new EpochEntry(3, 120)));

        assertThat(file.read()).containsExactly(new EpochEntry(0, 0), new EpochEntry(3, 120));
        assertThat(Files.readString(file.file())).isEqualTo("0\n2\n0 0\n3 120\n");
    }

    @Test
    void shouldWriteAndDeleteCleanShutdownMarker() throws Exception {
        assertThat(CleanShutdownMarker.exists(dir)).isFalse();

        CleanShutdownMarker.write(dir);
        assertThat(CleanShutdownMarker.exists(dir)).isTrue();
        assertThat(Files.exists(dir.resolve(".kafka_cleanshutdown"))).isTrue();

        CleanShutdownMarker.delete(dir);
        assertThat(CleanShutdownMarker.exists(dir)).isFalse();
    }

    @Test
    void shouldThrowWhenADirectoryCannotBeSynced() {
        Path missing = dir.resolve("missing");

        assertThatThrownBy(() -> AtomicFiles.fsyncDirectory(missing))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> CleanShutdownMarker.delete(missing))
                .as("a marker whose removal is not durable could come back after a crash")
                .isInstanceOf(IOException.class);
    }
}
