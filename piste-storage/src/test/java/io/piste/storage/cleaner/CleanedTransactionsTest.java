package io.piste.storage.cleaner;

import static io.piste.storage.cleaner.CleanerCodec.BatchKind.ABORT;
import static io.piste.storage.cleaner.CleanerCodec.BatchKind.COMMIT;
import static io.piste.storage.cleaner.CleanerCodec.BatchKind.DATA;
import static io.piste.storage.cleaner.CleanerCodec.BatchKind.OTHER_CONTROL;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.index.AbortedTxn;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kafka's transaction rules of the cleaner, batch by batch in offset order. */
class CleanedTransactionsTest {
    @Test
    void shouldDiscardAbortedDataAndKeepItsMarkerWhileDataWasSeen() {
        // Producer 2 aborted [3, 6] (its marker at 6) while producer 1 committed [0, 5].
        CleanedTransactions txns = new CleanedTransactions(List.of(new AbortedTxn(2, 3, 6, 0)));

        assertThat(txns.onBatch(1, 1, true, DATA)).isFalse();
        assertThat(txns.onBatch(2, 4, true, DATA)).as("aborted data").isTrue();
        assertThat(txns.onBatch(-1, 4, false, DATA)).isFalse();
        assertThat(txns.onBatch(1, 5, true, COMMIT)).as("its data was seen").isFalse();
        assertThat(txns.onBatch(2, 6, true, ABORT)).as("its data was seen").isFalse();
        // The same range once the data is gone: both markers are alone.
        CleanedTransactions next = new CleanedTransactions(List.of(new AbortedTxn(2, 3, 6, 0)));
        assertThat(next.onBatch(1, 5, true, COMMIT)).isTrue();
        assertThat(next.onBatch(2, 6, true, ABORT)).isTrue();
    }

    @Test
    void shouldKeepUndecidedDataAndOtherControlBatches() {
        CleanedTransactions txns = new CleanedTransactions(List.of());

        assertThat(txns.onBatch(3, 10, true, DATA)).as("no marker yet").isFalse();
        assertThat(txns.onBatch(3, 11, true, OTHER_CONTROL)).isFalse();
        assertThat(txns.onBatch(3, 12, true, COMMIT)).isFalse();
        assertThat(txns.onBatch(3, 13, true, COMMIT))
                .as("an empty transaction's marker")
                .isTrue();
    }

    @Test
    void shouldKeepACommitMarkerWhoseDataIsInAnEarlierGroupOfThePass() {
        // One instance for the pass: data seen in the first group keeps the marker found in the second.
        CleanedTransactions pass = new CleanedTransactions(List.of());
        assertThat(pass.onBatch(4, 100, true, DATA)).isFalse();
        assertThat(pass.onBatch(-1, 200, false, DATA)).isFalse();

        assertThat(pass.onBatch(4, 300, true, COMMIT)).isFalse();
    }
}
