package io.piste.broker.config;

import java.io.IOException;
import java.util.Map;

/** Where topic config overrides live: the metadata image and log. Implementations say which threads may call them. */
public interface TopicConfigStore {
    boolean topicExists(String topic);

    /** The topic's overrides, empty if none. */
    Map<String, String> topicOverrides(String topic);

    /** Replaces all of the topic's overrides, persists them and applies them to its partitions. */
    void replaceTopicOverrides(String topic, Map<String, String> overrides) throws IOException;
}
