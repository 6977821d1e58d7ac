package io.piste.server.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code piste config get|set}, as Kafka's kafka-configs --describe and --alter, for a topic or a broker. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Show and change topic and broker configs.",
        subcommands = {ConfigCommand.Get.class, ConfigCommand.Set.class})
final class ConfigCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Which resource: {@code --topic T} or {@code --broker ID}, exactly one. */
    static final class Entity {
        @Option(
                names = {"-t", "--topic"},
                required = true,
                paramLabel = "TOPIC")
        String topic;

        @Option(names = "--broker", required = true, paramLabel = "ID")
        String broker;

        ConfigResource resource() {
            return topic != null
                    ? new ConfigResource(ConfigResource.Type.TOPIC, topic)
                    : new ConfigResource(ConfigResource.Type.BROKER, broker);
        }

        String describe() {
            return topic != null ? "topic " + topic : "broker " + broker;
        }
    }

    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = "The configs that are not defaults (all of them with --all), with their source.")
    static final class Get extends ClientCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Entity entity;

        @Option(names = "--all", description = "Also the configs at their default value.")
        boolean all;

        @Parameters(paramLabel = "KEY", arity = "0..*", description = "Only these configs.")
        List<String> keys = List.of();

        @Mixin
        OutputFormat output;

        @Override
        protected int execute() throws Exception {
            ConfigResource resource = entity.resource();
            Config config = Await.topic(
                    admin().describeConfigs(List.of(resource)).values().get(resource), resource.name());
            List<ConfigEntry> entries = new ArrayList<>();
            for (ConfigEntry entry : config.entries()) {
                boolean wanted = keys.isEmpty()
                        ? all || entry.source() != ConfigEntry.ConfigSource.DEFAULT_CONFIG
                        : keys.contains(entry.name());
                if (wanted) {
                    entries.add(entry);
                }
            }
            entries.sort((a, b) -> a.name().compareTo(b.name()));
            for (String key : keys) {
                if (config.get(key) == null) {
                    throw new CliException(entity.describe() + " has no config '" + key + "'");
                }
            }
            if (output.json()) {
                Map<String, Object> json = new LinkedHashMap<>();
                for (ConfigEntry entry : entries) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("value", entry.isSensitive() ? null : entry.value());
                    e.put("source", Configs.sourceName(entry.source()));
                    e.put("sensitive", entry.isSensitive());
                    json.put(entry.name(), e);
                }
                out().println(Json.write(json));
                return 0;
            }
            Table table = new Table("NAME", "VALUE", "SOURCE");
            for (ConfigEntry entry : entries) {
                table.row(entry.name(), Configs.value(entry), Configs.sourceName(entry.source()));
            }
            if (table.size() == 0) {
                out().println("All configs of " + entity.describe() + " are defaults (--all to list them).");
            } else {
                table.print(out());
            }
            return 0;
        }
    }

    @Command(
            name = "set",
            mixinStandardHelpOptions = true,
            description = "Set configs (KEY=VALUE...) and/or delete them back to their defaults (--delete KEY).")
    static final class Set extends ClientCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Entity entity;

        @Parameters(paramLabel = "KEY=VALUE", arity = "0..*")
        List<String> pairs = List.of();

        @Option(names = "--delete", paramLabel = "KEY", description = "Back to the default; repeatable.")
        List<String> delete = List.of();

        @Override
        protected int execute() throws Exception {
            if (pairs.isEmpty() && delete.isEmpty()) {
                throw usage("nothing to set: give KEY=VALUE and/or --delete KEY");
            }
            Map<String, String> set = KeyValues.parse(pairs, "config set");
            ConfigResource resource = entity.resource();
            Await.topic(
                    admin().incrementalAlterConfigs(Map.of(resource, Configs.ops(set, delete)))
                            .all(),
                    resource.name());
            out().println("Updated " + entity.describe() + ": " + Configs.summary(set, delete) + ".");
            return 0;
        }
    }
}
