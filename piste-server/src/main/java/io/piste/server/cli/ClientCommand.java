package io.piste.server.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every client command does around its own work: check that the cluster is reachable, run, report a failure
 * as one line with a non-zero exit code, and close the Admin client it may have opened (bounded). A command
 * writes to picocli's out and err writers, so tests can capture them. One instance runs once.
 */
abstract class ClientCommand implements Callable<Integer> {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    private Admin admin;
    private boolean failed;

    @Override
    public final Integer call() {
        PrintWriter err = err();
        try {
            Reachability.check(client.bootstrapServer(), client.apiTimeoutMs());
            return execute();
        } catch (CommandLine.ParameterException e) {
            throw e; // a usage error: picocli prints it with the usage and exits 2
        } catch (Exception e) {
            failed = true;
            return Failures.report(e, client, err);
        } finally {
            if (admin != null) {
                // After a failure nothing pending is wanted: a call still waiting for an unanswering broker
                // would hold the close for its whole timeout.
                admin.close(failed ? Duration.ZERO : CLOSE_TIMEOUT);
            }
            out().flush();
            err.flush();
        }
    }

    /** Does the command's work; returns the exit code. */
    protected abstract int execute() throws Exception;

    protected final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected final PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** This command's Admin client, created at first use and closed when the command ends. */
    protected final Admin admin() throws CliException {
        if (admin == null) {
            admin = Admin.create(client.admin());
        }
        return admin;
    }

    protected final CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
