package io.piste.broker.monitoring;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metrics.BrokerMetrics;
import io.piste.broker.metrics.BrokerTopicMetrics;
import io.piste.broker.metrics.RequestMetrics;
import io.piste.broker.metrics.TopicMeters;
import io.piste.broker.partition.LogManager;
import io.piste.storage.cleaner.CleanerStats;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's meters on the platform MBean server under Kafka's MBean names, so that existing JMX tooling reads
 * them: {@code kafka.server:type=BrokerTopicMetrics} (all topics and per topic), {@code kafka.server:type=
 * ReplicaManager}, {@code kafka.network:type=RequestMetrics,name=RequestsPerSec,request=...}, the log cleaner's
 * {@code kafka.log:type=LogCleaner} and {@code type=LogCleanerManager} gauges. Each reads the same
 * counters and state as the Prometheus series. A name another broker of this JVM holds already (tests run several)
 * is left to it. {@link #close} unregisters what this one registered. Thread-safe.
 */
public final class KafkaMBeans implements BrokerTopicMetrics.Listener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaMBeans.class);
    private static final String TOPIC_METRICS = "kafka.server:type=BrokerTopicMetrics,name=";

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final List<ObjectName> registered = new ArrayList<>();
    private final BrokerTopicMetrics topics;
    private boolean closed;

    private KafkaMBeans(BrokerTopicMetrics topics) {
        this.topics = topics;
    }

    /** Registers the broker's MBeans, and each topic's as its meters are created. */
    public static KafkaMBeans register(
            BrokerMetrics metrics,
            LogManager logManager,
            Supplier<MetadataImage> image,
            Supplier<CleanerStats> cleanerStats) {
        KafkaMBeans beans = new KafkaMBeans(metrics.topics());
        TopicMeters all = metrics.topics().allTopics();
        beans.meter(TOPIC_METRICS + "MessagesInPerSec", all::messagesIn, "messages");
        beans.meter(TOPIC_METRICS + "BytesInPerSec", all::bytesIn, "bytes");
        beans.meter(TOPIC_METRICS + "BytesOutPerSec", all::bytesOut, "bytes");
        ReplicaCounts replicas = new ReplicaCounts(logManager, image);
        String replicaManager = "kafka.server:type=ReplicaManager,name=";
        beans.gauge(replicaManager + "PartitionCount", replicas::partitions);
        beans.gauge(replicaManager + "LeaderCount", replicas::leaders);
        beans.gauge(replicaManager + "UnderReplicatedPartitions", replicas::underReplicated);
        beans.gauge(replicaManager + "UnderMinIsrPartitionCount", replicas::underMinIsr);
        beans.gauge("kafka.controller:type=KafkaController,name=OfflinePartitionsCount", replicas::offline);
        RequestMetrics requests = metrics.requests();
        for (ApiKeys key : ApiKeys.brokerApis()) {
            beans.meter(
                    "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=" + key.name,
                    () -> {
                        RequestMetrics.ApiMeters meters = requests.of(key);
                        return meters == null ? 0 : meters.requests();
                    },
                    "requests");
        }
        for (CleanerGauge gauge : CleanerGauge.values()) {
            beans.gauge(gauge.mbeanName(), () -> gauge.value(cleanerStats.get()));
        }
        metrics.topics().setListener(beans);
        return beans;
    }

    @Override
    public void added(String topic, TopicMeters meters) {
        String suffix = ",topic=" + topic; // Kafka topic names need no quoting in an ObjectName
        meter(TOPIC_METRICS + "MessagesInPerSec" + suffix, meters::messagesIn, "messages");
        meter(TOPIC_METRICS + "BytesInPerSec" + suffix, meters::bytesIn, "bytes");
        meter(TOPIC_METRICS + "BytesOutPerSec" + suffix, meters::bytesOut, "bytes");
    }

    @Override
    public void removed(String topic) {
        String suffix = ",topic=" + topic; // Kafka topic names need no quoting in an ObjectName
        for (String name : List.of("MessagesInPerSec", "BytesInPerSec", "BytesOutPerSec")) {
            unregister(TOPIC_METRICS + name + suffix);
        }
    }

    private void meter(String name, LongSupplier count, String eventType) {
        register(name, new JmxMeter(count, eventType), MeterMBean.class);
    }

    private void gauge(String name, LongSupplier value) {
        register(name, new JmxGauge(value), GaugeMBean.class);
    }

    private synchronized <T> void register(String name, T bean, Class<T> type) {
        if (closed) {
            return;
        }
        try {
            ObjectName objectName = new ObjectName(name);
            if (server.isRegistered(objectName)) {
                log.debug("MBean {} is held by another broker of this JVM; not registered", name);
                return;
            }
            server.registerMBean(new StandardMBean(bean, type), objectName);
            registered.add(objectName);
        } catch (JMException e) {
            log.warn("Could not register MBean {}: {}", name, e.toString());
        }
    }

    private synchronized void unregister(String name) {
        try {
            ObjectName objectName = new ObjectName(name);
            if (registered.remove(objectName)) {
                server.unregisterMBean(objectName);
            }
        } catch (JMException e) {
            log.warn("Could not unregister MBean {}: {}", name, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        topics.setListener(new BrokerTopicMetrics.Listener() {
            @Override
            public void added(String topic, TopicMeters meters) {}

            @Override
            public void removed(String topic) {}
        });
        for (ObjectName name : registered) {
            try {
                server.unregisterMBean(name);
            } catch (JMException e) {
                log.warn("Could not unregister MBean {}: {}", name, e.toString());
            }
        }
        registered.clear();
    }
}
