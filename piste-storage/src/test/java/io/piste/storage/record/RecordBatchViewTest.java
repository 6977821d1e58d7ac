package io.piste.storage.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class RecordBatchViewTest {
    private final RecordBatchView view = new RecordBatchView();

    @Test
    void shouldReadHeaderFieldsOfBuiltBatch() {
        ByteBuffer buf = TestBatches.builder()
                .baseOffset(42)
                .records(3)
                .timestamp(5_000)
                .timestampStep(10)
                .producer(7L, (short) 2, 11)
                .transactional(true)
                .build();

        view.wrap(buf, 0);

        assertThat(view.baseOffset()).isEqualTo(42);
        assertThat(view.sizeInBytes()).isEqualTo(buf.remaining());
        assertThat(view.magic()).isEqualTo(RecordBatchView.MAGIC_V2);
        assertThat(view.recordCount()).isEqualTo(3);
        assertThat(view.lastOffsetDelta()).isEqualTo(2);
        assertThat(view.lastOffset()).isEqualTo(44);
        assertThat(view.baseTimestamp()).isEqualTo(5_000);
        assertThat(view.maxTimestamp()).isEqualTo(5_020);
        assertThat(view.producerId()).isEqualTo(7);
        assertThat(view.producerEpoch()).isEqualTo((short) 2);
        assertThat(view.baseSequence()).isEqualTo(11);
        assertThat(view.lastSequence()).isEqualTo(13);
        assertThat(view.isTransactional()).isTrue();
        assertThat(view.isControl()).isFalse();
        assertThat(view.compressionType()).isZero();
        assertThat(view.timestampTypeIsLogAppendTime()).isFalse();
        assertThat(view.isCrcValid()).isTrue();
    }

    @Test
    void shouldDetectFlippedByteWithCrc() {
        ByteBuffer buf = TestBatches.batch(2, 1_000);
        buf.put(buf.limit() - 3, (byte) (buf.get(buf.limit() - 3) ^ 0x01));

        assertThat(view.wrap(buf, 0).isCrcValid()).isFalse();
    }

    @Test
    void shouldChangeOffsetAndEpochWithoutBreakingCrc() {
        ByteBuffer buf = TestBatches.batch(2, 1_000);
        view.wrap(buf, 0);

        view.setBaseOffset(1_000_000L);
        view.setPartitionLeaderEpoch(9);

        assertThat(view.baseOffset()).isEqualTo(1_000_000L);
        assertThat(view.partitionLeaderEpoch()).isEqualTo(9);
        assertThat(view.isCrcValid()).isTrue();
    }

    @Test
    void shouldSetLogAppendTimeAndRecomputeCrc() {
        ByteBuffer buf = TestBatches.batch(2, 1_000);
        view.wrap(buf, 0);

        view.setLogAppendTime(99_999L);

        assertThat(view.timestampTypeIsLogAppendTime()).isTrue();
        assertThat(view.maxTimestamp()).isEqualTo(99_999L);
        assertThat(view.isCrcValid()).isTrue();
    }

    @Test
    void shouldWrapLastSequenceAtIntegerMax() {
        ByteBuffer buf = TestBatches.builder()
                .records(3)
                .producer(1L, (short) 0, Integer.MAX_VALUE - 1)
                .build();

        assertThat(view.wrap(buf, 0).lastSequence()).isEqualTo(0);
        assertThat(RecordBatchView.incrementSequence(Integer.MAX_VALUE, 1)).isZero();
    }

    @Test
    void shouldReadBigEndianFromLittleEndianBufferWithoutMovingIt() {
        ByteBuffer batch = TestBatches.builder().baseOffset(5).records(1).build();
        ByteBuffer buf = ByteBuffer.allocate(batch.remaining() + 7).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(7);
        buf.put(batch.duplicate());
        buf.position(3);

        view.wrap(buf, 7);
        view.setBaseOffset(6);

        assertThat(view.baseOffset()).isEqualTo(6);
        assertThat(view.isCrcValid()).isTrue();
        assertThat(buf.position()).isEqualTo(3);
        assertThat(buf.limit()).isEqualTo(buf.capacity());
    }
}
