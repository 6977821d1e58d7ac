package io.piste.it.support;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@code kcat} binary (Debian package kcat, librdkafka's command-line client) against one broker, each run
 * bounded by {@link #TIMEOUT}. The broker's address is read at each run, so that it can be declared before its
 * broker starts.
 */
public final class Kcat {
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Supplier<String> bootstrap;

    private Kcat(final Supplier<String> bootstrap) {
        this.bootstrap = bootstrap;
    }

    public static Kcat on(final Supplier<String> bootstrap) {
        return new Kcat(bootstrap);
    }

    /**
     * kcat on {@code PATH}; without it the test fails on CI and is aborted elsewhere ({@link Environment#require}).
     */
    public static Path require() {
        final Path kcat = Exec.onPath("kcat");
        Environment.require(kcat != null, "the kcat binary on PATH (apt-get install kcat)");
        return kcat;
    }

    /** {@code kcat -b <broker> args...} with nothing on its standard input. */
    public Exec.Result run(final String... args) {
        return run(List.of(args), "");
    }

    /** {@code kcat -b <broker> args...} with {@code stdin} on its standard input. */
    public Exec.Result run(final List<String> args, final String stdin) {
        final List<String> command = new ArrayList<>();
        command.add(require().toString());
        command.add("-b");
        command.add(bootstrap.get());
        command.addAll(args);
        return Exec.run(command, stdin, TIMEOUT);
    }
}
