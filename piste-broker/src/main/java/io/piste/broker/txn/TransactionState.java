package io.piste.broker.txn;

/**
 * The states of a transactional id, with the ids Kafka writes to {@code __transaction_state} and the names
 * DescribeTransactions and ListTransactions report.
 */
public enum TransactionState {
    EMPTY(0, "Empty"),
    ONGOING(1, "Ongoing"),
    PREPARE_COMMIT(2, "PrepareCommit"),
    PREPARE_ABORT(3, "PrepareAbort"),
    COMPLETE_COMMIT(4, "CompleteCommit"),
    COMPLETE_ABORT(5, "CompleteAbort"),
    DEAD(6, "Dead"),
    PREPARE_EPOCH_FENCE(7, "PrepareEpochFence");

    private final byte id;
    private final String kafkaName;

    TransactionState(int id, String kafkaName) {
        this.id = (byte) id;
        this.kafkaName = kafkaName;
    }

    public byte id() {
        return id;
    }

    /** The name Kafka's admin APIs report (DescribeTransactions, ListTransactions' state filter). */
    public String kafkaName() {
        return kafkaName;
    }

    /** The state of a stored id, or null if {@code id} is none of Kafka's. */
    public static TransactionState fromId(byte id) {
        for (TransactionState state : values()) {
            if (state.id == id) {
                return state;
            }
        }
        return null;
    }

    /** The state Kafka's admin APIs name {@code kafkaName}, or null. */
    public static TransactionState fromKafkaName(String kafkaName) {
        for (TransactionState state : values()) {
            if (state.kafkaName.equals(kafkaName)) {
                return state;
            }
        }
        return null;
    }

    /** Markers are being written: the transaction is decided but not finished. */
    public boolean isPrepare() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT || this == PREPARE_EPOCH_FENCE;
    }
}
