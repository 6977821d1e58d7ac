package io.piste.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One of Kafka's own command-line tools (kafka-tools on the test classpath), run in a child JVM against one broker
 * ({@code --bootstrap-server} first), each run bounded by {@link #TIMEOUT}. The broker's address is read at each run,
 * so that a tool can be declared before its broker starts:
 *
 * <pre>{@code
 * private static final KafkaTool GROUPS = KafkaTool.consumerGroupCommand(BROKER::bootstrapServers);
 * }</pre>
 */
public final class KafkaTool {
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String mainClass;
    private final Supplier<String> bootstrap;

    private KafkaTool(final String mainClass, final Supplier<String> bootstrap) {
        this.mainClass = mainClass;
        this.bootstrap = bootstrap;
    }

    public static KafkaTool configCommand(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.ConfigCommand", bootstrap);
    }

    public static KafkaTool consumerGroupCommand(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", bootstrap);
    }

    public static KafkaTool topicCommand(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.TopicCommand", bootstrap);
    }

    public static KafkaTool consoleProducer(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.ConsoleProducer", bootstrap);
    }

    public static KafkaTool consoleConsumer(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.consumer.ConsoleConsumer", bootstrap);
    }

    public static KafkaTool deleteRecordsCommand(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.DeleteRecordsCommand", bootstrap);
    }

    public static KafkaTool getOffsetShell(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.GetOffsetShell", bootstrap);
    }

    public static KafkaTool logDirsCommand(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.LogDirsCommand", bootstrap);
    }

    public static KafkaTool reassignPartitionsCommand(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.reassign.ReassignPartitionsCommand", bootstrap);
    }

    public static KafkaTool leaderElectionCommand(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.LeaderElectionCommand", bootstrap);
    }

    /** {@code kafka-metadata-quorum}: its subcommand ({@code describe --status}) comes after the bootstrap. */
    public static KafkaTool metadataQuorumCommand(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.MetadataQuorumCommand", bootstrap);
    }

    /** {@code kafka-transactions}: its subcommand comes after {@code --bootstrap-server}, as the tool wants. */
    public static KafkaTool transactionsCommand(final Supplier<String> bootstrap) {
        return new KafkaTool("org.apache.kafka.tools.TransactionsCommand", bootstrap);
    }

    /** Runs the tool with {@code args} and nothing on its standard input. */
    public Exec.Result run(final String... args) {
        return runWithInput("", args);
    }

    /** Runs the tool with {@code args} and {@code stdin} on its standard input. */
    public Exec.Result runWithInput(final String stdin, final String... args) {
        final List<String> all = new ArrayList<>(List.of("--bootstrap-server", bootstrap.get()));
        all.addAll(List.of(args));
        return Exec.java(mainClass, all, stdin, TIMEOUT);
    }
}
