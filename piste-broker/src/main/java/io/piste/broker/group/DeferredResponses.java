package io.piste.broker.group;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Answers collected while a coordinator's lock is held, and sent once it is released. A response sent from under
 * the lock would keep every other group waiting while the network write runs, and a callback that calls back into
 * the coordinator (on the same thread, as an event loop may) would see a transition half done. So a locked
 * operation adds its answers here, with the state they report already copied into the response, and the thread
 * that ran it calls {@link #send} after leaving the lock.
 *
 * <p>Not thread-safe: one instance per locked operation, used by the one thread that runs it.
 */
public final class DeferredResponses {

    private final List<Runnable> pending = new ArrayList<>(2);

    /** Adds {@code response}, to be given to {@code callback} by {@link #send}. */
    public <T> void add(Consumer<T> callback, T response) {
        pending.add(() -> callback.accept(response));
    }

    /**
     * Sends every answer, in the order they were added; call it with no coordinator lock held. An answer whose
     * callback throws does not keep the others from being sent: the first exception is rethrown after them.
     */
    public void send() {
        RuntimeException failed = null;
        for (Runnable answer : pending) {
            try {
                answer.run();
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        pending.clear();
        if (failed != null) {
            throw failed;
        }
    }
}
