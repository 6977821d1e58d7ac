package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DescribeLogDirs' sizes of logs nobody opened: a listing of their directories, and the logs stay unopened. */
class LogDirUsageTest {
    @TempDir
    Path dir;

    @Test
    void shouldSumTheSegmentFilesOfUnopenedLogsWithoutOpeningThem() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Path t0 = Files.createDirectories(a.resolve("t-0"));
        Files.write(t0.resolve("00000000000000000000.log"), new byte[100]);
        Files.write(t0.resolve("00000000000000000050.log"), new byte[30]);
        Files.write(t0.resolve("00000000000000000050.index"), new byte[80]);
        Files.write(t0.resolve("00000000000000000000.timeindex"), new byte[12]);
        Files.write(t0.resolve("leader-epoch-checkpoint"), new byte[7]);
        Files.createDirectories(b.resolve("t-1"));
        PartitionSlot inA = new PartitionSlot("t", 0, a, 0, 0, 0);
        PartitionSlot emptyInB = new PartitionSlot("t", 1, b, 0, 0, 0);
        PartitionSlot noDirectory = new PartitionSlot("t", 2, null, 0, 0, 0);
        PartitionSlot directoryGone = new PartitionSlot("t", 3, a, 0, 0, 0);
        List<PartitionSlot> slots = List.of(inA, emptyInB, noDirectory, directoryGone);
        Consumer<Consumer<PartitionSlot>> forEachSlot = slots::forEach;

        List<LogDirUsage.Dir> dirs = LogDirUsage.describe(List.of(a, b), Set.of(), forEachSlot);

        assertThat(dirs)
                .containsExactly(
                        new LogDirUsage.Dir(a, false, List.of(new LogDirUsage.Replica("t", 0, 130))),
                        new LogDirUsage.Dir(b, false, List.of(new LogDirUsage.Replica("t", 1, 0))));
        for (PartitionSlot slot : slots) {
            assertThat(slot.opened()).as("%s", slot).isNull();
        }
    }

    @Test
    void shouldListNoPartitionOfAnOfflineLogDir() {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        List<PartitionSlot> slots = List.of(new PartitionSlot("t", 0, a, 0, 0, 0));

        List<LogDirUsage.Dir> dirs = LogDirUsage.describe(List.of(a, b), Set.of(a), slots::forEach);

        assertThat(dirs)
                .containsExactly(new LogDirUsage.Dir(a, true, List.of()), new LogDirUsage.Dir(b, false, List.of()));
    }
}
