package io.piste.it.support;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (a binary, root). On CI ({@code CI=true}) a missing need fails the test, so
 * that a green build cannot hide tests that never ran; on a developer's machine it aborts the test with a message.
 */
public final class Environment {
    private Environment() {}

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Fails on CI, aborts elsewhere, when {@code present} is false.
     */
    public static void require(final boolean present, final String need) {
        if (present) {
            return;
        }
        if (isCi()) {
            throw new AssertionError("CI=true but this test's need is not met: " + need);
        }
        Assumptions.abort("not run here: " + need + " (on CI this fails)");
    }
}
