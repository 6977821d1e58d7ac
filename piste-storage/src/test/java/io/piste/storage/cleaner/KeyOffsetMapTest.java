package io.piste.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The dedupe map: a fixed number of slots from its memory, the latest offset per key, nothing beyond its slots. */
class KeyOffsetMapTest {

    @Test
    void shouldKeepTheLatestOffsetOfEachKeyInTheSlotsItsMemoryHolds() {
        KeyOffsetMap map = new KeyOffsetMap(24 * 1000);
        assertThat(map.slots()).isEqualTo(1000);
        for (int i = 0; i < 900; i++) {
            map.put(key("k" + i), i);
        }
        for (int i = 0; i < 300; i++) {
            map.put(key("k" + i), 1000 + i);
        }

        assertThat(map.size()).isEqualTo(900);
        assertThat(map.latestOffset()).isEqualTo(1299);
        assertThat(map.get(key("k5"))).isEqualTo(1005);
        assertThat(map.get(key("k899"))).isEqualTo(899);
        assertThat(map.get(key("absent"))).isEqualTo(-1);
        ByteBuffer partOfABuffer = ByteBuffer.wrap("xxk7yy".getBytes(StandardCharsets.UTF_8), 2, 2);
        assertThat(map.get(partOfABuffer)).as("only the key's bytes count").isEqualTo(1007);
        assertThat(partOfABuffer.position()).isEqualTo(2);

        map.clear();
        assertThat(map.size()).isZero();
        assertThat(map.get(key("k5"))).isEqualTo(-1);
        assertThat(map.latestOffset()).isEqualTo(-1);
    }

    @Test
    void shouldRefuseAKeyBeyondItsSlots() {
        KeyOffsetMap map = new KeyOffsetMap(24 * 4);
        for (int i = 0; i < 3; i++) {
            map.put(key("k" + i), i);
        }
        assertThatThrownBy(() -> map.put(key("k3"), 3)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new KeyOffsetMap(24)).isInstanceOf(IllegalArgumentException.class);
    }

    private static ByteBuffer key(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
