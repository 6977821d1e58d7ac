package io.piste.broker.monitoring;

import io.piste.broker.fetchsession.FetchSessionCache;
import io.piste.broker.metadata.Controller;
import io.piste.broker.metrics.BrokerMetrics;
import io.piste.broker.metrics.BrokerTopicMetrics;
import io.piste.broker.metrics.RequestMetrics;
import io.piste.broker.metrics.TopicMeters;
import io.piste.broker.partition.LogManager;
import io.piste.storage.cleaner.CleanerStats;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's meters on the platform MBean server under Kafka's MBean names, so that existing JMX tooling reads
 * them: {@code kafka.server:type=BrokerTopicMetrics} (all topics and per topic), {@code kafka.server:type=
 * ReplicaManager}, {@code kafka.network:type=RequestMetrics} ({@code RequestsPerSec} per API and version, {@code
 * ErrorsPerSec} per API and error, {@code TotalTimeMs} per API), the purgatories, the fetch session cache, the log
 * cleaner's {@code kafka.log:type=LogCleaner} and {@code type=LogCleanerManager} gauges. Each reads the same counters
 * and state as the Prometheus series; a meter of a version or an error is registered when it first occurs, as
 * Kafka's. A name another broker of this JVM holds already (tests run several) is left to it. {@link #close}
 * unregisters what this one registered. Thread-safe.
 */
public final class KafkaMBeans implements BrokerTopicMetrics.Listener, RequestMetrics.Listener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaMBeans.class);
    private static final String TOPIC_METRICS = "kafka.server:type=BrokerTopicMetrics,name=";
    private static final String REQUEST_METRICS = "kafka.network:type=RequestMetrics,name=";

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final List<ObjectName> registered = new ArrayList<>();
    private final BrokerMetrics metrics;
    private boolean closed;

    private KafkaMBeans(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Registers the broker's MBeans, and each topic's, version's and error's as its meters are created.
     *
     * @param parkedFetches the fetches waiting for {@code fetch.min.bytes}
     */
    public static KafkaMBeans register(
            BrokerMetrics metrics,
            LogManager logManager,
            Controller controller,
            IntSupplier parkedFetches,
            FetchSessionCache fetchSessions,
            Supplier<CleanerStats> cleanerStats) {
        KafkaMBeans beans = new KafkaMBeans(metrics);
        TopicMeters all = metrics.topics().allTopics();
        beans.meter(TOPIC_METRICS + "MessagesInPerSec", all::messagesIn, "messages");
        beans.meter(TOPIC_METRICS + "BytesInPerSec", all::bytesIn, "bytes");
        beans.meter(TOPIC_METRICS + "BytesOutPerSec", all::bytesOut, "bytes");
        beans.meter(TOPIC_METRICS + "ReplicationBytesOutPerSec", all::replicationBytesOut, "bytes");
        ReplicaCounts replicas = new ReplicaCounts(logManager, controller);
        String replicaManager = "kafka.server:type=ReplicaManager,name=";
        beans.gauge(replicaManager + "PartitionCount", replicas::partitions);
        beans.gauge(replicaManager + "LeaderCount", replicas::leaders);
        beans.gauge(replicaManager + "UnderReplicatedPartitions", replicas::underReplicated);
        beans.gauge(replicaManager + "UnderMinIsrPartitionCount", replicas::underMinIsr);
        beans.controllerGauges(replicas::offline, replicas.controllerCounts());
        RequestMetrics requests = metrics.requests();
        for (ApiKeys key : ApiKeys.brokerApis()) {
            beans.register(
                    REQUEST_METRICS + "TotalTimeMs,request=" + key.name,
                    new JmxHistogram(
                            () -> {
                                RequestMetrics.ApiMeters meters = requests.of(key);
                                return meters == null ? null : meters.totalTime();
                            },
                            1000,
                            System::nanoTime),
                    HistogramMBean.class);
        }
        beans.purgatory("Produce", () -> waitingProduces(logManager));
        beans.purgatory("Fetch", parkedFetches::getAsInt);
        String sessions = "kafka.server:type=FetchSessionCache,name=";
        beans.gauge(sessions + "NumIncrementalFetchSessions", fetchSessions::size);
        beans.gauge(sessions + "NumIncrementalFetchPartitionsCached", fetchSessions::partitionCount);
        beans.meter(sessions + "IncrementalFetchSessionEvictionsPerSec", fetchSessions::evictionCount, "evictions");
        for (CleanerGauge gauge : CleanerGauge.values()) {
            beans.gauge(gauge.mbeanName(), () -> gauge.value(cleanerStats.get()));
        }
        metrics.topics().setListener(beans);
        requests.setListener(beans);
        return beans;
    }

    /**
     * Registers a controller-only node's MBeans: Kafka's controller gauges alone, its offline partitions being those
     * without a leader.
     */
    public static KafkaMBeans registerController(Controller controller) {
        KafkaMBeans beans = new KafkaMBeans(new BrokerMetrics());
        ControllerCounts counts = new ControllerCounts(controller);
        beans.controllerGauges(counts::leaderless, counts);
        return beans;
    }

    private void controllerGauges(LongSupplier offline, ControllerCounts counts) {
        String kafkaController = "kafka.controller:type=KafkaController,name=";
        gauge(kafkaController + "OfflinePartitionsCount", offline);
        gauge(kafkaController + "PreferredReplicaImbalanceCount", counts::preferredReplicaImbalance);
        gauge(kafkaController + "ActiveControllerCount", counts::activeControllers);
        gauge(kafkaController + "ActiveBrokerCount", counts::activeBrokers);
        gauge(kafkaController + "FencedBrokerCount", counts::fencedBrokers);
    }

    /** Kafka's two gauges of a purgatory; both are the requests waiting (nothing completed lingers in Piste's). */
    private void purgatory(String operation, LongSupplier waiting) {
        String tag = ",delayedOperation=" + operation;
        gauge("kafka.server:type=DelayedOperationPurgatory,name=PurgatorySize" + tag, waiting);
        gauge("kafka.server:type=DelayedOperationPurgatory,name=NumDelayedOperations" + tag, waiting);
    }

    private static long waitingProduces(LogManager logManager) {
        long[] waiting = {0};
        logManager.forEachOpenedPartition(p -> waiting[0] += p.pendingAckCount());
        return waiting[0];
    }

    @Override
    public void versionAdded(ApiKeys apiKey, short version, LongSupplier count) {
        meter(REQUEST_METRICS + "RequestsPerSec,request=" + apiKey.name + ",version=" + version, count, "requests");
    }

    @Override
    public void errorAdded(ApiKeys apiKey, Errors error, LongSupplier count) {
        meter(REQUEST_METRICS + "ErrorsPerSec,request=" + apiKey.name + ",error=" + error.name(), count, "errors");
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
            if (registered.contains(objectName)) {
                return; // told twice of a meter created while the listener was being set
            }
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
        metrics.topics().setListener(BrokerTopicMetrics.Listener.NONE);
        metrics.requests().setListener(RequestMetrics.Listener.NONE);
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
