package io.piste.storage.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The line limit on main source files, shared by every module's {@code SourceFileSizeTest}: past {@value #MAX_LINES}
 * lines a class has more than one job, and the place to split it is where it meets another part.
 */
public final class SourceFileSize {

    public static final int MAX_LINES = 600;

    private SourceFileSize() {}

    /** Fails naming every file under the module's {@code src/main/java} (Surefire runs from the module) over the limit. */
    public static void assertEveryMainSourceWithinTheLimit() throws IOException {
        Path root = Path.of("src/main/java");
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root)) {
            sources = files.filter(file -> file.toString().endsWith(".java"))
                    .sorted()
                    .toList();
        }
        assertThat(sources).as("main sources under %s", root.toAbsolutePath()).isNotEmpty();
        List<String> tooLong = new ArrayList<>();
        for (Path file : sources) {
            long lines = countLines(file);
            if (lines > MAX_LINES) {
                tooLong.add(root.relativize(file).toString().replace('\\', '/') + " (" + lines + " lines)");
            }
        }
        assertThat(tooLong)
                .as("main source files over %d lines; split them", MAX_LINES)
                .isEmpty();
    }

    private static long countLines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        }
    }
}
