package io.piste.server.cli;

/** A failure the user can act on, reported as its message on one line (no stack trace) and a non-zero exit. */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }
}
