package io.piste.broker.config;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka broker configs that Piste accepts (a Kafka {@code server.properties} starts Piste unchanged, with Kafka's
 * validation) but that do nothing here, each with the reason.
 *
 * <p>A value that is shown and does nothing misleads: DescribeConfigs of a broker leaves these out of the list of
 * all configs (what {@code kafka-configs --describe --all} prints) unless the user set them, answers them when asked
 * by name (tools that read one key keep working), and documents them as "Not used by Piste: ...". The broker logs
 * the ones a user set at start-up. Stateless and thread-safe.
 */
final class NotUsedBrokerConfigs {

    private static final Logger LOG = LoggerFactory.getLogger(NotUsedBrokerConfigs.class);
    private static final Map<String, String> REASONS = reasons();

    private NotUsedBrokerConfigs() {}

    static boolean contains(String name) {
        return REASONS.containsKey(name);
    }

    /** The documentation DescribeConfigs gives such a config, or null for a config Piste uses. */
    static String documentation(String name) {
        String reason = REASONS.get(name);
        return reason == null ? null : "Not used by Piste: " + reason;
    }

    static void logIfSet(Collection<String> setNames) {
        List<String> set =
                setNames.stream().filter(REASONS::containsKey).sorted().toList();
        if (!set.isEmpty()) {
            LOG.info("These broker configs are accepted but not used by Piste (see docs/compatibility.md): {}", set);
        }
    }

    private static Map<String, String> reasons() {
        Map<String, String> m = new TreeMap<>();
        m.put(
                "num.io.threads",
                "requests are handled on the event loop that read them (num.network.threads); "
                        + "there is no separate request handler pool.");
        m.put("socket.send.buffer.bytes", "the operating system sizes the socket buffers (TCP autotuning).");
        m.put("socket.receive.buffer.bytes", "the operating system sizes the socket buffers (TCP autotuning).");
        m.put(
                "log.flush.start.offset.checkpoint.interval.ms",
                "log-start-offset-checkpoint is written each time a log start offset moves (retention, DeleteRecords),"
                        + " before any segment below it is deleted.");
        m.put("share.coordinator.state.topic.replication.factor", "share groups are not implemented.");
        m.put("share.coordinator.state.topic.min.isr", "share groups are not implemented.");
        m.put("num.replica.fetchers", "one fetcher thread per leader, Kafka's default of 1.");
        m.put(
                "inter.broker.listener.name",
                "brokers reach each other on the listener they serve clients on (listeners' first).");
        m.put("metadata.log.dir", "the metadata log is always in the first log dir (log.dirs).");
        return m;
    }
}
