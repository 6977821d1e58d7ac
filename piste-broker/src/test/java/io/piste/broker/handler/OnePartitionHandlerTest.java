package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import io.piste.broker.partition.TestPartitions;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a handler test over one partition starts from: a real partition "t-0" on a real log in a temporary directory,
 * known to {@link #lookup} under {@link #TOPIC_ID}, opened before and closed after each test.
 */
abstract class OnePartitionHandlerTest {

    static final Uuid TOPIC_ID = Uuid.randomUuid();

    @TempDir
    Path dir;

    final FakePartitionLookup lookup = new FakePartitionLookup();
    TestPartitions partitions;
    Partition partition;

    @BeforeEach
    void openPartition() throws IOException {
        partitions = new TestPartitions(dir);
        partition = partitions.open("t", 0);
        lookup.add(TOPIC_ID, partition);
    }

    @AfterEach
    void closePartitions() {
        partitions.close();
    }
}
