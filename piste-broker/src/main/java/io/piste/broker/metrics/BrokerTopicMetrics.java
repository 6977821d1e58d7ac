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

    private final TopicMeters allTopics = new TopicMeters(null);
    private final ConcurrentHashMap<String, TopicMeters> byTopic = new ConcurrentHashMap<>();

    /** The meters of {@code topic}, created at its first use. */
    public TopicMeters topic(String topic) {
        return byTopic.computeIfAbsent(topic, t -> new TopicMeters(allTopics));
    }

    public void remove(String topic) {
        byTopic.remove(topic);
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
