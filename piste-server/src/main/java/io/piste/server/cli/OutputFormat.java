package io.piste.server.cli;

import picocli.CommandLine.Option;

/** The {@code --output} option of list and describe commands: aligned tables for people or JSON for programs. */
final class OutputFormat {
    enum Kind {
        table,
        json
    }

    @Option(
            names = {"-o", "--output"},
            paramLabel = "table|json",
            defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Kind kind = Kind.table;

    boolean json() {
        return kind == Kind.json;
    }
}
