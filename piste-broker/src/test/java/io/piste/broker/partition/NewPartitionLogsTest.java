package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.config.BrokerConfig;
import io.piste.storage.log.FileChannelFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Partitions born together: which log dir each goes to, and what a failed creation leaves behind. */
class NewPartitionLogsTest {

    @TempDir
    Path dir;

    @Test
    void shouldGiveEachNewPartitionTheLogDirHoldingTheFewestSoFar() {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");

        List<Path> assigned = NewPartitionLogs.assignLogDirs(List.of(a, b, c), Map.of(a, 2, c, 1), 6);

        // b holds none, c one, a two: b, then b and c in turn, then all three.
        assertThat(assigned).containsExactly(b, b, c, a, b, c);
    }

    @Test
    void shouldOpenSideBySideInIndexOrder() throws IOException {
        try (TestPartitions partitions = new TestPartitions(dir)) {
            List<Path> dirs = Collections.nCopies(20, dir);

            List<Partition> opened = NewPartitionLogs.open(
                    range(5, 25),
                    dirs,
                    (index, logDir, files) -> partitions.open("t", index),
                    p -> {},
                    FileChannelFactory.DEFAULT,
                    BrokerConfig.LOG_FLUSH_METHOD_FSYNC);

            assertThat(opened).extracting(Partition::index).containsExactlyElementsOf(range(5, 25));
        }
    }

    @Test
    void shouldDiscardWhatOpenedAndThrowTheFailureWhenOneCreationFails() {
        try (TestPartitions partitions = new TestPartitions(dir)) {
            List<Partition> discarded = Collections.synchronizedList(new ArrayList<>());

            assertThatThrownBy(() -> NewPartitionLogs.open(
                            range(0, 8),
                            Collections.nCopies(8, dir),
                            (index, logDir, files) -> {
                                if (index == 3) {
                                    throw new IOException("disk full at partition 3");
                                }
                                return partitions.open("t", index);
                            },
                            discarded::add,
                            FileChannelFactory.DEFAULT,
                            BrokerConfig.LOG_FLUSH_METHOD_FSYNC))
                    .isInstanceOf(IOException.class)
                    .hasMessage("disk full at partition 3");
            assertThat(discarded).extracting(Partition::index).containsExactlyInAnyOrder(0, 1, 2, 4, 5, 6, 7);
        }
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> values = new ArrayList<>();
        for (int i = from; i < to; i++) {
            values.add(i);
        }
        return values;
    }
}
