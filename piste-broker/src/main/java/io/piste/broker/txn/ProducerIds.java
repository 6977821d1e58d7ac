package io.piste.broker.txn;

import java.io.IOException;

/** Hands out producer ids never handed out before (the controller's blocks, durable in the metadata log). */
@FunctionalInterface
public interface ProducerIds {
    long next() throws IOException;
}
