package io.piste.storage.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.checkpoint.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedDiskTest {
    private final SimulatedDisk disk = new SimulatedDisk();
    private final Path dir = disk.root().resolve("logs");

    SimulatedDiskTest() throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.fsyncDirectory(disk.root());
    }

    private static void write(Path file, String text, boolean fsync) throws IOException {
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            if (fsync) {
                ch.force(false);
            }
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    @Test
    void shouldForgetFileContentThatWasNotFsynced() throws IOException {
        write(dir.resolve("a.log"), "synced", true);
        write(dir.resolve("a.log"), "+lost", false);
        AtomicFiles.fsyncDirectory(dir);

        assertThat(read(dir.resolve("a.log"))).isEqualTo("synced+lost");
        disk.powerLossKeepingOnlySynced();

        assertThat(read(dir.resolve("a.log"))).isEqualTo("synced");
    }

    @Test
    void shouldKeepEveryFileAndEntryWrittenBeforeSyncfs() throws IOException {
        Path sub = dir.resolve("topic-0");
        Files.createDirectories(sub);
        write(sub.resolve("a.log"), "kept", false);
        write(dir.resolve("b.log"), "kept too", false);
        disk.syncAll();
        write(sub.resolve("a.log"), "+lost", false);
        write(sub.resolve("c.log"), "lost", false);

        disk.powerLossKeepingOnlySynced();

        assertThat(read(sub.resolve("a.log"))).isEqualTo("kept");
        assertThat(read(dir.resolve("b.log"))).isEqualTo("kept too");
        assertThat(sub.resolve("c.log")).doesNotExist();
    }

    @Test
    void shouldForgetFsyncedFileWhoseDirectoryEntryWasNeverFsynced() throws IOException {
        write(dir.resolve("a.log"), "synced", true);

        disk.powerLossKeepingOnlySynced();

        assertThat(Files.exists(dir.resolve("a.log"))).isFalse();
        assertThat(Files.isDirectory(dir)).isTrue();
    }

    @Test
    void shouldUndoRenameThatWasNotFsyncedInItsDirectory() throws IOException {
        write(dir.resolve("a.tmp"), "content", true);
        AtomicFiles.fsyncDirectory(dir);
        Files.move(dir.resolve("a.tmp"), dir.resolve("a"), StandardCopyOption.ATOMIC_MOVE);

        disk.powerLossKeepingOnlySynced();

        assertThat(Files.exists(dir.resolve("a"))).isFalse();
        assertThat(read(dir.resolve("a.tmp"))).isEqualTo("content");
    }

    @Test
    void shouldKeepAnAtomicDurableWriteAndItsDirectoryEntries() throws IOException {
        AtomicFiles.write(dir.resolve("checkpoint"), ByteBuffer.wrap(new byte[] {1, 2, 3}), true);

        disk.powerLossKeepingOnlySynced();

        assertThat(Files.readAllBytes(dir.resolve("checkpoint"))).containsExactly(1, 2, 3);
        try (var names = Files.list(dir)) {
            assertThat(names.map(p -> p.getFileName().toString())).containsExactly("checkpoint");
        }
    }

    @Test
    void shouldLoseANewDirectoryWhoseParentWasNotFsynced() throws IOException {
        Files.createDirectories(dir.resolve("topic-0"));
        write(dir.resolve("topic-0").resolve("a.log"), "synced", true);
        AtomicFiles.fsyncDirectory(dir.resolve("topic-0"));

        disk.powerLossKeepingOnlySynced();

        assertThat(Files.exists(dir.resolve("topic-0"))).isFalse();
    }

    @Test
    void shouldCrashAtTheChosenStepAndFailEveryOperationAfterIt() throws IOException {
        long before = disk.steps();
        disk.crashAtStep(before + 3);
        write(dir.resolve("a.log"), "one", false); // steps: create, write

        assertThat(disk.crashed()).isFalse();
        assertThatThrownBy(() -> write(dir.resolve("a.log"), "two", false))
                .isInstanceOf(SimulatedCrash.class)
                .hasMessageContaining("step=" + (before + 3));
        assertThat(disk.crashed()).isTrue();
        assertThatThrownBy(() -> Files.exists(dir)).isInstanceOf(SimulatedCrash.class);

        disk.powerLossKeepingOnlySynced();

        assertThat(disk.crashed()).isFalse();
        assertThat(Files.exists(dir.resolve("a.log"))).isFalse();
    }

    @Test
    void shouldFailAChannelOpenedBeforeThePowerLoss() throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve("a.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        disk.powerLossKeepingOnlySynced();

        assertThatThrownBy(() -> ch.write(ByteBuffer.allocate(1), 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldKeepSomeUnsyncedWritesTornOrWholeAtRandom() throws IOException {
        Set<String> outcomes = new HashSet<>();
        for (int seed = 0; seed < 200; seed++) {
            SimulatedDisk d = new SimulatedDisk();
            Path file = d.root().resolve("a.log");
            write(file, "synced", true);
            AtomicFiles.fsyncDirectory(d.root());
            write(file, "-one", false);
            write(file, "-two", false);

            d.powerLoss(new Random(seed));

            String content = read(file);
            assertThat(content).startsWith("synced");
            outcomes.add(content);
        }
        assertThat(outcomes).contains("synced", "synced-one", "synced-one-two", "synced-o", "synced\0\0\0\0-two");
    }
}
