package io.piste.server.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses the {@code KEY=VALUE} arguments of {@code --config}, {@code --header} and the like. */
final class KeyValues {
    private KeyValues() {}

    static Map<String, String> parse(List<String> pairs, String option) throws CliException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CliException(option + " expects KEY=VALUE, got '" + pair + "'");
            }
            values.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
        }
        return values;
    }
}
