package io.piste.storage.record;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.BatchTooLargeException;
import io.piste.storage.errors.InvalidBatchException;
import io.piste.storage.errors.InvalidRecordException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BatchValidatorTest {
    private final RecordBatchView view = new RecordBatchView();

    @Test
    void shouldAcceptValidBatch() {
        ByteBuffer buf = TestBatches.batch(3, 1_000);

        assertThatCode(() -> BatchValidator.validate(view.wrap(buf, 0), buf.remaining(), 1 << 20))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldRejectBatchLongerThanRemainingBytes() {
        ByteBuffer buf = TestBatches.batch(3, 1_000);

        assertThatThrownBy(() -> BatchValidator.validate(view.wrap(buf, 0), buf.remaining() - 1, 1 << 20))
                .isInstanceOf(InvalidBatchException.class)
                .hasMessageContaining("remainingBytes=");
    }

    @Test
    void shouldRejectHeaderShorterThanSixtyOneBytes() {
        ByteBuffer buf = ByteBuffer.allocate(40);

        assertThatThrownBy(() -> BatchValidator.validate(view.wrap(buf, 0), 40, 1 << 20))
                .isInstanceOf(InvalidBatchException.class);
    }

    @Test
    void shouldRejectBatchLargerThanMax() {
        ByteBuffer buf = TestBatches.batch(3, 1_000);

        assertThatThrownBy(() -> BatchValidator.validate(view.wrap(buf, 0), buf.remaining(), 70))
                .isInstanceOf(BatchTooLargeException.class)
                .hasMessageContaining("maxBatchBytes=70");
    }

    @Test
    void shouldRejectWrongMagic() {
        ByteBuffer buf = TestBatches.batch(1, 1_000);
        buf.put(RecordBatchView.MAGIC_OFFSET, (byte) 1);

        assertThatThrownBy(() -> BatchValidator.validate(view.wrap(buf, 0), buf.remaining(), 1 << 20))
                .isInstanceOf(InvalidBatchException.class)
                .hasMessageContaining("magic=1");
    }

    @Test
    void shouldRejectCrcMismatch() {
        ByteBuffer buf = TestBatches.batch(1, 1_000);
        buf.put(buf.limit() - 1, (byte) (buf.get(buf.limit() - 1) ^ 0x40));

        assertThatThrownBy(() -> BatchValidator.validate(view.wrap(buf, 0), buf.remaining(), 1 << 20))
                .isInstanceOf(InvalidBatchException.class)
                .hasMessageContaining("CRC");
    }

    @Test
    void shouldRejectRecordCountNotMatchingOffsetDelta() {
        ByteBuffer buf = TestBatches.batch(2, 1_000);
        view.wrap(buf, 0);
        buf.putInt(RecordBatchView.RECORD_COUNT_OFFSET, 5);
        buf.putInt(RecordBatchView.CRC_OFFSET, (int) view.computeCrc());

        assertThatThrownBy(() -> BatchValidator.validate(view, buf.remaining(), 1 << 20))
                .as("intact but unacceptable: not retriable, unlike corruption")
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("recordCount=5");
    }

    @Test
    void shouldRejectBatchLengthThatWouldOverflowTheSize() {
        ByteBuffer buf = TestBatches.batch(2, 1_000);
        buf.putInt(RecordBatchView.BATCH_LENGTH_OFFSET, Integer.MAX_VALUE - 5);

        assertThatThrownBy(() -> BatchValidator.validate(view.wrap(buf, 0), buf.remaining(), 1 << 20))
                .isInstanceOf(InvalidBatchException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void shouldRejectControlBatchFromClientButAcceptItFromLog() {
        ByteBuffer buf =
                TestBatches.builder().control(true).producer(3L, (short) 0, -1).build();

        assertThatThrownBy(() -> BatchValidator.validate(view.wrap(buf, 0), buf.remaining(), 1 << 20))
                .isInstanceOf(InvalidBatchException.class)
                .hasMessageContaining("control");
        assertThatCode(() -> BatchValidator.validate(view.wrap(buf, 0), buf.remaining(), 1 << 20, false))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldRejectAnUncompressedRecordCountLargerThanItsBytesCanHold() {
        ByteBuffer buf = TestBatches.batch(2, 1_000);
        view.wrap(buf, 0);
        // Consistent with the offset delta, so only the bytes present can tell: 1,000,000 records in ~100 bytes.
        buf.putInt(RecordBatchView.RECORD_COUNT_OFFSET, 1_000_000);
        buf.putInt(RecordBatchView.LAST_OFFSET_DELTA_OFFSET, 999_999);
        buf.putInt(RecordBatchView.CRC_OFFSET, (int) view.computeCrc());

        assertThatThrownBy(() -> BatchValidator.validate(view, buf.remaining(), 1 << 20))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("recordCount=1000000");
    }
}
