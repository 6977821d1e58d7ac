package io.piste.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metadata log that does not read back whole is either refused with the file and the byte position named, or,
 * for a torn tail (the last, unsynced append), cut back with the dropped bytes kept beside it; never silently
 * truncated past a record that was acknowledged.
 */
class MetadataLogTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve(MetadataLog.FILE_NAME);
    }

    private void createTopics(String... names) throws IOException {
        try (LocalController controller = LocalController.open(dir)) {
            for (String name : names) {
                controller.createTopic(name, 2, Map.of());
            }
        }
    }

    /** The byte position at which line {@code index} (0-based) of the metadata log starts. */
    private int lineStart(int index) throws IOException {
        byte[] bytes = Files.readAllBytes(file());
        int line = 0;
        for (int i = 0; i < bytes.length && line < index; i++) {
            if (bytes[i] == '\n') {
                line++;
                if (line == index) {
                    return i + 1;
                }
            }
        }
        return 0;
    }

    /** A line with a valid CRC, as a newer version might write it. */
    static String framed(String payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x %s%n", crc.getValue(), payload);
    }

    private void append(String text) throws IOException {
        Files.writeString(file(), text, StandardOpenOption.APPEND);
    }

    @Test
    void shouldRefuseACorruptRecordInTheMiddleAndLeaveTheFileAsItIs() throws IOException {
        createTopics("first", "second", "third");
        int position = lineStart(1);
        byte[] bytes = Files.readAllBytes(file());
        bytes[position + 12] ^= 0x04;
        Files.write(file(), bytes);

        assertThatThrownBy(() -> LocalController.open(dir))
                .isInstanceOf(CorruptMetadataLogException.class)
                .hasMessageContaining(file().toString())
                .hasMessageContaining("byte " + position);
        assertThat(Files.readAllBytes(file())).as("nothing truncated").isEqualTo(bytes);
    }

    @Test
    void shouldRefuseAnUnknownRecordTypeNamingIt() throws IOException {
        createTopics("first");
        long position = Files.size(file());
        append(framed("TOPIC_REPLICAS " + Uuid.randomUuid() + " 0,1,2"));
        byte[] bytes = Files.readAllBytes(file());

        assertThatThrownBy(() -> LocalController.open(dir))
                .isInstanceOf(CorruptMetadataLogException.class)
                .hasMessageContaining(file().toString())
                .hasMessageContaining("byte " + position)
                .hasMessageContaining("unknown record type TOPIC_REPLICAS");
        assertThat(Files.readAllBytes(file())).as("nothing truncated").isEqualTo(bytes);
    }

    @Test
    void shouldRefuseANewerVersionOfAKnownRecordTypeNamingIt() throws IOException {
        createTopics("first");
        long position = Files.size(file());
        append(framed("TOPIC:1 later " + Uuid.randomUuid() + " 3 rack-aware"));

        assertThatThrownBy(() -> LocalController.open(dir))
                .isInstanceOf(CorruptMetadataLogException.class)
                .hasMessageContaining("byte " + position)
                .hasMessageContaining("record type TOPIC version 1");
    }

    @Test
    void shouldRefuseAKnownRecordWithMoreFieldsThanItsVersionHas() throws IOException {
        createTopics("first");
        append(framed("TOPIC later " + Uuid.randomUuid() + " 3 rack-aware"));

        assertThatThrownBy(() -> LocalController.open(dir))
                .isInstanceOf(CorruptMetadataLogException.class)
                .hasMessageContaining("TOPIC");
    }

    @Test
    void shouldRefuseAPartitionCountBeyondTheLimit() throws IOException {
        createTopics("first");
        append(framed("TOPIC huge " + Uuid.randomUuid() + " " + Integer.MAX_VALUE));

        assertThatThrownBy(() -> LocalController.open(dir))
                .isInstanceOf(CorruptMetadataLogException.class)
                .hasMessageContaining(Integer.toString(Integer.MAX_VALUE));
    }

    @Test
    void shouldRefuseATopicNameThatCouldNotBeADirectory() throws IOException {
        createTopics("first");
        append(framed("TOPIC ../escape " + Uuid.randomUuid() + " 1"));

        assertThatThrownBy(() -> LocalController.open(dir))
                .isInstanceOf(CorruptMetadataLogException.class)
                .hasMessageContaining("../escape");
    }

    @Test
    void shouldCutATornTailAndKeepItsBytesBesideTheLog() throws IOException {
        createTopics("kept");
        long validBytes = Files.size(file());
        String torn = "deadbeef TOPIC half";
        append(torn);

        try (LocalController controller = LocalController.open(dir)) {
            assertThat(controller.image().topic("kept")).isNotNull();
        }
        assertThat(Files.size(file())).isEqualTo(validBytes);
        Path kept = dir.resolve(MetadataLog.FILE_NAME + ".torn-" + validBytes);
        assertThat(kept).as("the dropped bytes").hasContent(torn);
    }

    @Test
    void shouldKeepALastRecordThatLacksOnlyItsNewline() throws IOException {
        createTopics("first", "last");
        byte[] bytes = Files.readAllBytes(file());
        Files.write(file(), Arrays.copyOf(bytes, bytes.length - 1));

        try (LocalController controller = LocalController.open(dir)) {
            assertThat(controller.image().topic("last")).isNotNull();
        }
        assertThat(Files.readAllBytes(file())).as("the newline written again").isEqualTo(bytes);
    }

    @Test
    void shouldCutAZeroFilledTailAsTorn() throws IOException {
        createTopics("kept");
        long validBytes = Files.size(file());
        // A file system may persist a larger size without the data: the tail reads back as zeros.
        byte[] zeros = new byte[300];
        zeros[150] = '\n';
        Files.write(file(), zeros, StandardOpenOption.APPEND);

        try (LocalController controller = LocalController.open(dir)) {
            assertThat(controller.image().topic("kept")).isNotNull();
            controller.createTopic("after", 1, Map.of());
        }
        try (LocalController controller = LocalController.open(dir)) {
            assertThat(controller.image().topics())
                    .extracting(TopicImage::name)
                    .containsExactlyInAnyOrder("kept", "after");
        }
        assertThat(Files.size(file())).isGreaterThan(validBytes);
    }

    @Test
    void shouldDropAChangeWhoseLastRecordsAreMissingAsATornTail() throws IOException {
        createTopics("kept");
        long validBytes = Files.size(file());
        try (LocalController controller = LocalController.open(dir)) {
            controller.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
        }
        // A power cut persisted the header and the TOPIC line of the change, not its CONFIG line.
        byte[] whole = Files.readAllBytes(file());
        int configLine = lineStart(3);
        Files.write(file(), Arrays.copyOf(whole, configLine));

        try (LocalController controller = LocalController.open(dir)) {
            assertThat(controller.image().topic("kept")).isNotNull();
            assertThat(controller.image().topic("compacted"))
                    .as("a topic without the configs it was created with")
                    .isNull();
        }
        assertThat(Files.size(file())).isEqualTo(validBytes);
        assertThat(dir.resolve(MetadataLog.FILE_NAME + ".torn-" + validBytes)).exists();
    }

    @Test
    void shouldLoadAWholeChangeWithItsConfigs() throws IOException {
        try (LocalController controller = LocalController.open(dir)) {
            controller.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
        }
        try (LocalController controller = LocalController.open(dir)) {
            assertThat(controller.image().topic("compacted").configs()).containsEntry("cleanup.policy", "compact");
        }
        assertThat(Files.readString(file())).contains(" CHANGE 2\n");
    }

    @Test
    void shouldRefuseAChangeHeaderThatAnnouncesAnImpossibleCount() throws IOException {
        createTopics("kept");
        append(framed("CHANGE 1000000"));
        createTopicsAfterDamage();
    }

    @Test
    void shouldRefuseAChangeThatStartsInsideAnother() throws IOException {
        createTopics("kept");
        append(framed("CHANGE 2") + framed("CHANGE 2"));
        createTopicsAfterDamage();
    }

    /** The damage appended last is followed by a whole record, so it is no torn tail: the start is refused. */
    private void createTopicsAfterDamage() throws IOException {
        int damageAt = lineStart(1);
        append(framed("TOPIC after " + Uuid.randomUuid() + " 1") + framed("TOPIC later " + Uuid.randomUuid() + " 1"));
        long size = Files.size(file());
        assertThatThrownBy(() -> LocalController.open(dir))
                .isInstanceOf(CorruptMetadataLogException.class)
                .hasMessageContaining("byte " + damageAt);
        assertThat(Files.size(file())).as("the file left as it is").isEqualTo(size);
    }
}
