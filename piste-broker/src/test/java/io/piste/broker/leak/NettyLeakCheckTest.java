package io.piste.broker.leak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NettyLeakCheckTest {

    @Test
    void shouldReportABufferDroppedWithoutRelease() {
        leakOneBuffer();

        List<String> leaks = new ArrayList<>();
        // The collector may need more than one call's rounds to clear the buffer's reference.
        for (int attempt = 0; attempt < 20 && leaks.isEmpty(); attempt++) {
            leaks.addAll(NettyLeakCheck.collectLeaks());
        }

        assertThat(leaks).hasSize(1);
        assertThat(leaks.get(0)).startsWith("LEAK: ByteBuf").contains("leakOneBuffer");
    }

    @Test
    void shouldFailTheCheckOnALeak() {
        leakOneBuffer();

        assertThatThrownBy(() -> {
                    for (int attempt = 0; attempt < 20; attempt++) {
                        NettyLeakCheck.assertNoLeaks("this test");
                    }
                })
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Netty leak report(s) in this test");
    }

    @Test
    void shouldNotReportReleasedBuffers() {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buffer.writeLong(7);
        buffer.release();

        assertThat(NettyLeakCheck.collectLeaks()).isEmpty();
    }

    /** A buffer written, touched (so that the report names this method) and dropped: a leak on purpose. */
    private static void leakOneBuffer() {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buffer.writeLong(42);
        buffer.touch("leakOneBuffer");
    }
}
