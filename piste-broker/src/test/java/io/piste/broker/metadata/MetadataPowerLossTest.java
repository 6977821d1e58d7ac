package io.piste.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.sim.SimulatedCrash;
import io.piste.storage.sim.SimulatedDisk;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The metadata log under seeded power losses on piste-storage's {@link SimulatedDisk}: topics created and grown,
 * producer-id blocks reserved, the controller opened again after each cut (a crash may hit that too). Every
 * acknowledged change (its call returned) must be in the image after the restart, nothing else but the change in
 * flight, and no producer id may be handed out twice. A change of several records (a topic with its configs) is
 * found whole or not at all. Replay a failing seed with {@code -Dpowerloss.seed=<seed>}.
 */
class MetadataPowerLossTest {
    private static final long FIRST_SEED = 0x3E7A_0000L;
    private static final int SCENARIOS = 100;
    private static final int CYCLES_PER_SCENARIO = 20;
    private static final int CRASH_WINDOW_STEPS = 25;

    private long crashes;

    @Test
    @Timeout(120)
    void shouldKeepEveryAcknowledgedMetadataChangeThroughPowerLosses() {
        String replay = System.getProperty("powerloss.seed");
        long first = replay == null ? FIRST_SEED : Long.decode(replay);
        int scenarios = replay == null ? SCENARIOS : 1;
        for (long seed = first; seed < first + scenarios; seed++) {
            try {
                runScenario(seed);
            } catch (Throwable e) {
                throw new AssertionError(
                        "metadata power-loss scenario failed: seed=" + seed + " (replay with -Dpowerloss.seed=" + seed
                                + ") reason=" + e,
                        e);
            }
        }
        System.out.println("Metadata power-loss simulation: scenarios=" + scenarios + " crashPoints=" + crashes);
        assertThat(crashes).isEqualTo((long) scenarios * CYCLES_PER_SCENARIO);
    }

    private void runScenario(long seed) throws IOException {
        Random random = new Random(seed);
        SimulatedDisk disk = new SimulatedDisk();
        Path dir = disk.root().resolve("data").resolve("kafka-logs").resolve("__cluster_metadata-0");
        Map<String, Integer> acknowledged = new HashMap<>();
        Set<Long> producerIds = new HashSet<>();
        int topicsCreated = 0;
        String inFlight = null;
        for (int cycle = 0; cycle < CYCLES_PER_SCENARIO; cycle++) {
            disk.crashAtStep(disk.steps() + 1 + random.nextInt(CRASH_WINDOW_STEPS));
            try {
                LocalController controller = LocalController.open(dir);
                if (inFlight != null) {
                    // the change in flight at the cut may or may not have been written: the log decides
                    TopicImage topic = controller.image().topic(inFlight);
                    if (topic != null && topic.partitionCount() >= acknowledged.getOrDefault(inFlight, 0)) {
                        acknowledged.put(inFlight, topic.partitionCount());
                    }
                    inFlight = null;
                }
                verify(controller.image(), acknowledged);
                while (true) {
                    int dice = random.nextInt(10);
                    if (dice < 4 || acknowledged.isEmpty()) {
                        inFlight = "topic-" + topicsCreated++;
                        int partitions = 1 + random.nextInt(3);
                        // half the topics are created with configs: TOPIC and CONFIG records in one change
                        controller.createTopic(inFlight, partitions, configsOf(topicsCreated - 1));
                        acknowledged.put(inFlight, partitions);
                    } else if (dice < 7) {
                        inFlight = acknowledged.keySet().stream()
                                .sorted()
                                .skip(random.nextInt(acknowledged.size()))
                                .findFirst()
                                .orElseThrow();
                        int partitions = acknowledged.get(inFlight) + 1;
                        controller.createPartitions(inFlight, partitions, false);
                        acknowledged.put(inFlight, partitions);
                    } else {
                        long id = controller.nextProducerId();
                        assertThat(producerIds.add(id))
                                .as("producer id handed out twice: %s", id)
                                .isTrue();
                    }
                    inFlight = null;
                }
            } catch (SimulatedCrash crash) {
                crashes++;
            }
            disk.powerLoss(random);
        }
    }

    private static Map<String, String> configsOf(int topicNumber) {
        return topicNumber % 2 == 0 ? Map.of() : Map.of("cleanup.policy", "compact", "retention.ms", "60000");
    }

    private static void verify(MetadataImage image, Map<String, Integer> acknowledged) {
        for (Map.Entry<String, Integer> topic : acknowledged.entrySet()) {
            TopicImage found = image.topic(topic.getKey());
            assertThat(found).as("acknowledged topic lost: %s", topic.getKey()).isNotNull();
            assertThat(found.partitionCount())
                    .as("partitions of %s", topic.getKey())
                    .isEqualTo(topic.getValue());
        }
        for (TopicImage topic : image.topics()) {
            // a change is all or nothing: a topic is never there without the configs it was created with
            int number = Integer.parseInt(topic.name().substring("topic-".length()));
            assertThat(topic.configs()).as("configs of %s", topic.name()).isEqualTo(configsOf(number));
        }
        assertThat(image.topics()).hasSize(acknowledged.size());
    }
}
