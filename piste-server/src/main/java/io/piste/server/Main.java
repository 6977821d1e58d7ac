package io.piste.server;

import io.piste.broker.metadata.CorruptMetadataLogException;
import io.piste.server.cli.ClientCommands;
import java.io.IOException;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code piste} command line. */
@Command(
        name = "piste",
        mixinStandardHelpOptions = true,
        version = "piste 0.1.0",
        description = "An event-streaming platform that speaks the Apache Kafka protocol: the broker (server) and "
                + "client commands that work with any Kafka-protocol cluster.",
        subcommands = {Main.ServerCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        // Netty's allocator events for Java Flight Recorder cost start-up time (JFR's machinery is loaded and the
        // event classes generated) and are rarely wanted; -Dio.netty.jfr.enabled=true brings them back.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        if (args.length > 0 && args[0].equals("server")) {
            // The broker's path: only the server command is known, so no client command class is loaded (nor
            // archived in the AppCDS archive bin/piste trains with `piste server`).
            System.exit(new CommandLine(new Main()).execute(args));
        }
        ClientCommands.quietClientLogs(args);
        System.exit(commandLine().execute(args));
    }

    /** The whole command line: {@code server} and the client commands (topic, produce, consume, ...). */
    public static CommandLine commandLine() {
        return ClientCommands.addTo(new CommandLine(new Main()));
    }

    @Command(
            name = "server",
            mixinStandardHelpOptions = true,
            description = "Start a single-node broker (default: 127.0.0.1:9092, data in ./data).")
    static final class ServerCommand implements Callable<Integer> {

        @Option(names = "--config", paramLabel = "FILE", description = "A Kafka-style server.properties file.")
        Path configFile;

        @Option(
                names = "--override",
                paramLabel = "KEY=VALUE",
                description = "Set a config, as Kafka's --override does; repeatable; wins over --config.")
        List<String> overrides = List.of();

        @Override
        public Integer call() throws Exception {
            Map<String, String> config = new LinkedHashMap<>();
            if (configFile != null) {
                config.putAll(readProperties(configFile));
            }
            for (String override : overrides) {
                int eq = override.indexOf('=');
                if (eq <= 0) {
                    throw new CommandLine.ParameterException(
                            new CommandLine(this), "--override expects KEY=VALUE, got: " + override);
                }
                config.put(
                        override.substring(0, eq).trim(),
                        override.substring(eq + 1).trim());
            }
            PisteServer server;
            try {
                server = PisteServer.start(config);
            } catch (CorruptMetadataLogException | ConfigException e) {
                // A refusal to start on data the broker cannot trust, or on a config it cannot run (a role that
                // does not fit the voters, a listener that does not parse): the message says where and what to
                // do, so one line, without a stack trace that would bury it.
                System.err.println("Piste broker cannot start: " + e.getMessage());
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                long stopping = System.nanoTime();
                                server.close();
                                System.out.printf(
                                        "Piste %s stopped cleanly in %d ms%n",
                                        server.isBroker() ? "broker" : "controller",
                                        (System.nanoTime() - stopping) / 1_000_000);
                                System.out.flush();
                                stopped.countDown();
                            },
                            "piste-shutdown"));
            if (server.isBroker()) {
                System.out.printf(
                        "Piste broker ready on %s (cluster %s, started in %d ms)%n",
                        server.bootstrapServers(), server.clusterId(), millisSinceJvmStart());
            } else {
                System.out.printf(
                        "Piste controller ready on %s (its quorum listener; cluster %s, no clients served here, "
                                + "started in %d ms)%n",
                        server.quorumAddress(), server.clusterId(), millisSinceJvmStart());
            }
            System.out.flush();
            stopped.await();
            return 0;
        }

        /** Since the JVM started, so the figure includes JVM start-up and class loading, as a user waits for them. */
        private static long millisSinceJvmStart() {
            return System.currentTimeMillis()
                    - ManagementFactory.getRuntimeMXBean().getStartTime();
        }

        private static Map<String, String> readProperties(Path file) throws IOException {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String name : props.stringPropertyNames()) {
                values.put(name, props.getProperty(name));
            }
            return values;
        }
    }
}
