package io.piste.broker.group.consumer;

import io.piste.broker.group.GroupTimer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A manual clock for the consumer group coordinator: tasks run, in order, only when a test advances time. */
final class FakeTimer implements GroupTimer {

    private record Task(long deadlineMs, long sequence, Runnable body, boolean[] cancelled) implements Scheduled {
        @Override
        public void cancel() {
            cancelled[0] = true;
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
    public Scheduled schedule(long delayMs, Runnable body) {
        Task task = new Task(nowMs + Math.max(0, delayMs), sequence++, body, new boolean[1]);
        tasks.add(task);
        return task;
    }

    void advance(long ms) {
        long target = nowMs + ms;
        while (true) {
            Task next = tasks.stream().filter(t -> !t.cancelled()[0] && t.deadlineMs() <= target)
                .min(Comparator.comparingLong(Task::deadlineMs).thenComparingLong(Task::sequence)).orElse(null);
            if (next == null) {
                break;
            }
            tasks.remove(next);
            nowMs = Math.max(nowMs, next.deadlineMs());
            next.body().run();
        }
        nowMs = target;
    }

    @Override
    public void close() {
        tasks.clear();
    }
}
