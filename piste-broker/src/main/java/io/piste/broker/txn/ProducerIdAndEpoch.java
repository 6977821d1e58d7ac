package io.piste.broker.txn;

import org.apache.kafka.common.protocol.Errors;

/** The answer of InitProducerId and of a protocol v2 EndTxn: an error, or the producer id and epoch to use. */
public record ProducerIdAndEpoch(Errors error, long producerId, short producerEpoch) {

    static ProducerIdAndEpoch of(long producerId, short producerEpoch) {
        return new ProducerIdAndEpoch(Errors.NONE, producerId, producerEpoch);
    }

    static ProducerIdAndEpoch failed(Errors error) {
        return new ProducerIdAndEpoch(error, -1, (short) -1);
    }
}
