package io.piste.server.cli;

import java.io.PrintWriter;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TimeoutException;

/** Turns what a command threw into one line on stderr and an exit code; the stack trace only with --verbose. */
final class Failures {
    static final int EXIT_FAILURE = 1;

    private Failures() {}

    static int report(Throwable thrown, ClientOptions options, PrintWriter err) {
        Throwable cause = unwrap(thrown);
        err.println("Error: " + describe(cause, options));
        if (options.verbose()) {
            thrown.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILURE;
    }

    /** The exception that says what went wrong, without the wrappers of futures and client constructors. */
    static Throwable unwrap(Throwable thrown) {
        Throwable cause = thrown;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        // A client constructor wraps a bad config ("Failed to construct kafka producer") around the real reason.
        if (cause.getClass() == KafkaException.class && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String describe(Throwable cause, ClientOptions options) {
        if (cause instanceof CliException) {
            return cause.getMessage();
        }
        if (cause instanceof TimeoutException) {
            return "the cluster at " + options.bootstrapServer() + " did not answer within " + options.apiTimeoutMs()
                    + " ms (--api-timeout-ms to wait longer): " + cause.getMessage();
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        if (cause instanceof ApiException) {
            // Kafka's error classes name the error code (e.g. InvalidPartitionsException); the message says why.
            String code = cause.getClass().getSimpleName().replaceFirst("Exception$", "");
            return message.isEmpty() ? code : code + ": " + message;
        }
        return cause.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
}
