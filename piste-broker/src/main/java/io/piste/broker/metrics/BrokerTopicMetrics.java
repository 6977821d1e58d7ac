package io.piste.broker.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Every topic's {@link TopicMeters} and the all-topics ones. {@link #topic} is for control paths (a partition's
 * open); a deleted topic's meters go with {@link #remove}, while the all-topics meters keep what it counted.
 * Thread-safe.
 */
public final class BrokerTopicMetrics {

    /** Told when a topic's meters are created and removed (the MBeans of each topic). */
    public interface Listener {
        /** Told nothing: before a listener is set, and after it is done. */
        Listener NONE = new Listener() {
            @Override
            public void added(String topic, TopicMeters meters) {}

            @Override
            public void removed(String topic) {}
        };

        void added(String topic, TopicMeters meters);

        void removed(String topic);
    }

    private final TopicMeters allTopics = new TopicMeters(null);
    private final ConcurrentHashMap<String, TopicMeters> byTopic = new ConcurrentHashMap<>();
    private volatile Listener listener = Listener.NONE;

    /** The meters of {@code topic}, created at its first use. */
    public TopicMeters topic(String topic) {
        TopicMeters meters = byTopic.get(topic);
        if (meters != null) {
            return meters;
        }
        TopicMeters created = new TopicMeters(allTopics);
        meters = byTopic.putIfAbsent(topic, created);
        if (meters == null) {
            listener.added(topic, created);
            return created;
        }
        return meters;
    }

    public void remove(String topic) {
        if (byTopic.remove(topic) != null) {
            listener.removed(topic);
        }
    }

    /** Sets the listener and tells it of the topics that have meters already. */
    public void setListener(Listener newListener) {
        listener = newListener;
        byTopic.forEach(newListener::added);
    }

    public TopicMeters allTopics() {
        return allTopics;
    }

    public void forEachTopic(BiConsumer<String, TopicMeters> action) {
        for (Map.Entry<String, TopicMeters> e : byTopic.entrySet()) {
            action.accept(e.getKey(), e.getValue());
        }
    }
}
