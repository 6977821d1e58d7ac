package io.piste.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Directories under the module's {@code target/} for broker data and child-process output, so that what a
 * failed test left behind can be read after the build.
 */
public final class TestDirs {
    private TestDirs() {}

    /** {@code target/} of this module (failsafe runs tests with the module as working directory). */
    public static Path target() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");
    }

    /** A new, empty directory {@code target/it-data/<name>-<n>}. */
    public static Path create(final String name) {
        final Path parent = target().resolve("it-data");
        try {
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, name + "-");
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create a test dir under " + parent, e);
        }
    }

    public static void deleteQuietly(final Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
