package io.piste.bench.partition;

import io.piste.broker.partition.Partition;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.protocol.Errors;

/** A reusable wait for one acknowledgement: the producer thread parks until the flusher calls back. */
final class AckLatch implements Partition.AckCallback {
    private volatile Thread waiter;
    private volatile Errors result;

    /** Arms the latch for the calling thread, before the acknowledgement is asked for. */
    void reset() {
        waiter = Thread.currentThread();
        result = null;
    }

    @Override
    public void onComplete(Errors error) {
        result = error;
        LockSupport.unpark(waiter);
    }

    Errors await() {
        Errors r;
        while ((r = result) == null) {
            LockSupport.park(this);
        }
        return r;
    }
}
