package io.piste.server;

import io.piste.broker.Broker;
import io.piste.broker.config.BrokerConfig;
import io.piste.broker.group.PartitionLag;
import io.piste.broker.partition.Partition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A running broker started from Kafka-style configuration. The embedding API for tests and tools; the
 * {@code piste server} command is a thin shell around it.
 */
public final class PisteServer implements AutoCloseable {

    private final Broker broker;

    private PisteServer(Broker broker) {
        this.broker = broker;
    }

    public static PisteServer start(Properties config) throws Exception {
        Map<String, String> values = new HashMap<>();
        for (String name : config.stringPropertyNames()) {
            values.put(name, config.getProperty(name));
        }
        return start(values);
    }

    public static PisteServer start(Map<String, String> config) throws Exception {
        return new PisteServer(Broker.start(new BrokerConfig(config)));
    }

    public int port() {
        return broker.port();
    }

    /** The address clients should bootstrap from: the advertised host and port. */
    public String bootstrapServers() {
        return broker.advertisedHost() + ":" + broker.advertisedPort();
    }

    public String clusterId() {
        return broker.clusterId();
    }

    /** Every consumer group's lag per partition, as the broker sees it (committed offsets vs. end offsets). */
    public List<PartitionLag> consumerLag() {
        return broker.consumerLag().all();
    }

    /** How many incremental fetch sessions (KIP-227) the broker holds now. */
    public int fetchSessionCount() {
        return broker.fetchSessionCount();
    }

    /** How many fetch sessions the broker evicted for new ones since it started. */
    public long fetchSessionEvictions() {
        return broker.fetchSessionEvictions();
    }

    /** How many (long-poll fetch, partition) waits for new data the broker holds now. */
    public int fetchWaiterCount() {
        return broker.fetchWaiterCount();
    }

    /** How many long-poll fetches the broker holds parked now. */
    public int parkedFetchCount() {
        return broker.parkedFetchCount();
    }

    /** Partition {@code index} of {@code topic} as the broker holds it (see {@code Broker#partition}), or null. */
    public Partition partition(String topic, int index) {
        return broker.partition(topic, index);
    }

    /** Clean shutdown: stops the listener, flushes every log and writes the clean-shutdown markers. */
    @Override
    public void close() {
        broker.close();
    }
}
