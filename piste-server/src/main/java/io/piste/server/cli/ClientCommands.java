package io.piste.server.cli;

import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Adds the client commands to the {@code piste} command line. Called only when the command is not
 * {@code server}, so a broker's start loads none of these classes nor the client classes behind them.
 */
public final class ClientCommands {
    private ClientCommands() {}

    public static CommandLine addTo(CommandLine root) {
        root.addSubcommand(new TopicCommand());
        root.addSubcommand(new ProduceCommand());
        root.addSubcommand(new ConsumeCommand());
        root.addSubcommand(new GroupCommand());
        root.addSubcommand(new ConfigCommand());
        root.addSubcommand(new ClusterCommand());
        CommandLine completion = new CommandLine(new AutoComplete.GenerateCompletion());
        completion.getCommandSpec().name("completion");
        completion.getCommandSpec().usageMessage().hidden(false);
        completion
                .getCommandSpec()
                .usageMessage()
                .description("Print the bash/zsh completion script: " + "source <(piste completion)");
        root.addSubcommand("completion", completion);
        root.setCaseInsensitiveEnumValuesAllowed(true);
        root.setParameterExceptionHandler(ClientCommands::usageError);
        return root;
    }

    /**
     * Unless {@code --verbose}, the clients' own log lines (connection warnings repeated each retry) are not shown:
     * a command reports what went wrong on one line. Must run before the first logger is created.
     */
    public static void quietClientLogs(String[] args) {
        if (!List.of(args).contains("--verbose")
                && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
        }
    }

    /** A usage error in one line plus where to find help, instead of the whole usage text. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println("Error: " + e.getMessage());
        command.getErr().println("See '" + qualifiedName(command) + " --help'.");
        command.getErr().flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static String qualifiedName(CommandLine command) {
        String full = command.getCommandSpec().qualifiedName(" ");
        return full.equals("piste") ? "piste" : "piste " + full.substring(full.indexOf(' ') + 1);
    }
}
