package io.piste.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No main source file of this module is over {@value #MAX_LINES} lines: past that a class has more than one job, and
 * the place to split it is where it meets another part. Surefire runs it from the module's directory.
 */
class SourceFileSizeTest {

    private static final int MAX_LINES = 600;

    @Test
    void shouldKeepEveryMainSourceFileWithinTheLineLimit() throws IOException {
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
            String name = root.relativize(file).toString().replace('\\', '/');
            if (lines > MAX_LINES) {
                tooLong.add(name + " (" + lines + " lines)");
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
