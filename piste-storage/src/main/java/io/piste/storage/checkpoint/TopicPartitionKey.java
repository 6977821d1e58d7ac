package io.piste.storage.checkpoint;

/** A topic partition as named in checkpoint files. */
public record TopicPartitionKey(String topic, int partition) {
    public TopicPartitionKey {
        if (topic == null || topic.isEmpty() || topic.contains(" ") || topic.contains("\n")) {
            throw new IllegalArgumentException("invalid topic name: topic=" + topic);
        }
        if (partition < 0) {
            throw new IllegalArgumentException("negative partition: partition=" + partition);
        }
    }

    // Written out rather than the record's generated ones (an invokedynamic bootstrap, slow until compiled): a
    // start-up puts and looks up tens of thousands of keys while the code still runs interpreted.
    @Override
    public boolean equals(Object o) {
        return o instanceof TopicPartitionKey other && partition == other.partition && topic.equals(other.topic);
    }

    @Override
    public int hashCode() {
        return 31 * topic.hashCode() + partition;
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
