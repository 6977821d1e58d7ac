package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/**
 * The ITs of this module run with {@code io.piste.broker.leak.NettyLeakCheck} registered (auto-detected from
 * piste-broker's test jar, see {@code junit-platform.properties}), so that an in-process broker's leaked buffer
 * fails the test: this checks the wiring, since a missing registration would pass every test silently.
 */
class LeakCheckIT {
    @Test
    void shouldRunWithTheNettyLeakCheckListening() throws Exception {
        final Field detectorField = AbstractByteBuf.class.getDeclaredField("leakDetector");
        detectorField.setAccessible(true);
        final Object detector = detectorField.get(null);
        final Field listenerField = ResourceLeakDetector.class.getDeclaredField("leakListener");
        listenerField.setAccessible(true);

        assertThat(listenerField.get(detector))
                .as("NettyLeakCheck's listener on Netty's ByteBuf leak detector")
                .isNotNull();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }
}
