package io.piste.broker.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A manual clock: tasks run, in deadline order, only when a test calls {@link #advance}. Single-threaded. */
public final class FakeGroupTimer implements GroupTimer {

    private static final class Task implements Scheduled {
        final long deadlineMs;
        final long sequence;
        final Runnable body;
        boolean cancelled;

        Task(long deadlineMs, long sequence, Runnable body) {
            this.deadlineMs = deadlineMs;
            this.sequence = sequence;
            this.body = body;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private final List<Task> tasks = new ArrayList<>();
    private long nowMs;
    private long sequence;

    @Override
    public long nowMs() {
        return nowMs;
    }

    @Override
    public Scheduled schedule(long delayMs, Runnable task) {
        Task t = new Task(nowMs + Math.max(0, delayMs), sequence++, task);
        tasks.add(t);
        return t;
    }

    /** Moves time forward, running every task that falls due (including tasks scheduled by those tasks). */
    public void advance(long ms) {
        long target = nowMs + ms;
        while (true) {
            Task next = tasks.stream()
                    .filter(t -> !t.cancelled && t.deadlineMs <= target)
                    .min(Comparator.<Task>comparingLong(t -> t.deadlineMs).thenComparingLong(t -> t.sequence))
                    .orElse(null);
            if (next == null) {
                break;
            }
            tasks.remove(next);
            nowMs = Math.max(nowMs, next.deadlineMs);
            next.body.run();
        }
        nowMs = target;
        tasks.removeIf(t -> t.cancelled);
    }

    @Override
    public void close() {
        tasks.clear();
    }
}
