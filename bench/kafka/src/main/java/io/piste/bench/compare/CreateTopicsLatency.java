package io.piste.bench.compare;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * CreateTopics latency seen by a client that is already connected, so that no JVM or connection start is counted:
 * two Admin clients, each warmed up with a DescribeCluster, then the first creates a topic of {@code partitions}
 * partitions and, {@code delayMs} later, the second a one-partition topic. Each is timed from its call until the
 * cluster answered it. Prints {@code big_ms=<n> small_ms=<n>}; exits 1 with an {@code ERROR} line if either fails.
 *
 * <p>Usage: {@code CreateTopicsLatency <bootstrap> <partitions> <replicationFactor> [delayMs]}.
 */
public final class CreateTopicsLatency {

    private CreateTopicsLatency() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int partitions = Integer.parseInt(args[1]);
        short replicationFactor = Short.parseShort(args[2]);
        long delayMs = args.length > 3 ? Long.parseLong(args[3]) : 1000;
        Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin bigAdmin = Admin.create(config);
                Admin smallAdmin = Admin.create(config)) {
            bigAdmin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
            smallAdmin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
            long bigStart = System.nanoTime();
            CreateTopicsResult big = bigAdmin.createTopics(List.of(new NewTopic("big", partitions, replicationFactor)));
            Thread.sleep(delayMs);
            long smallStart = System.nanoTime();
            smallAdmin
                    .createTopics(List.of(new NewTopic("small", 1, replicationFactor)))
                    .all()
                    .get(120, TimeUnit.SECONDS);
            long smallMs = (System.nanoTime() - smallStart) / 1_000_000;
            big.all().get(600, TimeUnit.SECONDS);
            long bigMs = (System.nanoTime() - bigStart) / 1_000_000;
            System.out.println("big_ms=" + bigMs + " small_ms=" + smallMs);
        } catch (Exception e) {
            System.out.println("ERROR " + e);
            System.exit(1);
        }
    }
}
