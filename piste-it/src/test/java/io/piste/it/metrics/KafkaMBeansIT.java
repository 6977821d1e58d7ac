package io.piste.it.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.MetricsScrape;
import io.piste.it.support.Produce;
import java.io.IOException;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker's MBeans under Kafka's names, read over a remote JMX connection (an RMI connector server on a loopback
 * ephemeral port, as {@code com.sun.management.jmxremote} would serve them) after real producers wrote to it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaMBeansIT {
    private static final String TOPIC = "jmx-topic";
    private static final int RECORDS = 120;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    private static JMXConnectorServer jmxServer;

    @BeforeAll
    static void startJmxConnectorServer() throws Exception {
        final Map<String, Object> env = new HashMap<>();
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, new LoopbackServerSockets());
        env.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, new LoopbackSockets());
        jmxServer = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("rmi", "127.0.0.1", 0), env, ManagementFactory.getPlatformMBeanServer());
        jmxServer.start();
    }

    @AfterAll
    static void stopJmxConnectorServer() throws IOException {
        if (jmxServer != null) {
            jmxServer.stop();
        }
    }

    @Test
    void shouldReadKafkaNamedMBeansOverRemoteJmx() throws Exception {
        final String bootstrap = BROKER.bootstrapServers();
        Clients.createTopic(bootstrap, TOPIC, 2);
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(new ProducerRecord<>(TOPIC, i % 2, "k" + i, "v" + i));
        }
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            Produce.acked(producer, records);
        }

        try (Admin admin = Clients.admin(bootstrap)) {
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1)))
                            .all()
                            .get())
                    .hasCauseInstanceOf(TopicExistsException.class);
        }

        try (JMXConnector connector = JMXConnectorFactory.connect(jmxServer.getAddress(), null)) {
            final MBeanServerConnection jmx = connector.getMBeanServerConnection();
            assertThat(jmx.getAttribute(
                            new ObjectName("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=" + TOPIC),
                            "Count"))
                    .isEqualTo((long) RECORDS);
            final long bytesIn = (Long) jmx.getAttribute(
                    new ObjectName("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=" + TOPIC), "Count");
            assertThat(bytesIn).isGreaterThan(RECORDS * 4L);
            assertThat(MetricsScrape.of(BROKER.broker().metricsPort())
                            .value("kafka_server_brokertopicmetrics_bytesin_total", "topic", TOPIC))
                    .as("one counter behind the MBean and the Prometheus series")
                    .isEqualTo((double) bytesIn);
            assertThat((Long) jmx.getAttribute(
                            new ObjectName("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec"), "Count"))
                    .isGreaterThanOrEqualTo(RECORDS);
            assertThat(jmx.getAttribute(
                            new ObjectName("kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec,topic=" + TOPIC),
                            "Count"))
                    .isEqualTo(0L);
            assertThat(jmx.getAttribute(
                            new ObjectName("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=" + TOPIC),
                            "OneMinuteRate"))
                    .isInstanceOf(Double.class);
            long produceRequests = 0;
            for (final ObjectName name : jmx.queryNames(
                    new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,*"), null)) {
                assertThat(name.getKeyProperty("version"))
                        .as("per version, as Kafka's")
                        .matches("[0-9]+");
                produceRequests += (Long) jmx.getAttribute(name, "Count");
            }
            assertThat(produceRequests).isGreaterThanOrEqualTo(1L);
            final ObjectName produceTime =
                    new ObjectName("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce");
            assertThat(jmx.getAttribute(produceTime, "Count")).isEqualTo(produceRequests);
            assertThat((Double) jmx.getAttribute(produceTime, "99thPercentile")).isPositive();
            assertThat((Double) jmx.getAttribute(produceTime, "Mean")).isPositive();
            assertThat(jmx.getAttribute(
                            new ObjectName("kafka.server:type=DelayedOperationPurgatory,name=PurgatorySize,"
                                    + "delayedOperation=Produce"),
                            "Value"))
                    .as("nothing waits once every send was acknowledged")
                    .isEqualTo(0L);
            assertThat(jmx.isRegistered(
                            new ObjectName("kafka.server:type=FetchSessionCache,name=NumIncrementalFetchSessions")))
                    .isTrue();
            assertThat(jmx.getAttribute(
                            new ObjectName("kafka.network:type=RequestMetrics,name=ErrorsPerSec,request=CreateTopics,"
                                    + "error=TOPIC_ALREADY_EXISTS"),
                            "Count"))
                    .as("an item's error in a batched admin answer, registered at its first occurrence")
                    .isEqualTo(1L);
            final String replicaManager = "kafka.server:type=ReplicaManager,name=";
            assertThat(jmx.getAttribute(new ObjectName(replicaManager + "UnderReplicatedPartitions"), "Value"))
                    .isEqualTo(0L);
            final long partitions = (Long) jmx.getAttribute(new ObjectName(replicaManager + "PartitionCount"), "Value");
            assertThat(partitions).isGreaterThanOrEqualTo(2L);
            assertThat(jmx.getAttribute(new ObjectName(replicaManager + "LeaderCount"), "Value"))
                    .isEqualTo(partitions);
        }
    }

    /** Server sockets of the RMI objects bound to loopback only. */
    private static final class LoopbackServerSockets implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(final int port) throws IOException {
            return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        }
    }

    /** Client sockets to loopback, whatever host name the stub carries (serialised into the stub). */
    private static final class LoopbackSockets implements RMIClientSocketFactory, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Socket createSocket(final String host, final int port) throws IOException {
            return new Socket(InetAddress.getLoopbackAddress(), port);
        }

        @Override
        public boolean equals(final Object other) {
            return other instanceof LoopbackSockets;
        }

        @Override
        public int hashCode() {
            return LoopbackSockets.class.hashCode();
        }
    }
}
