package io.piste.server.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that at least one bootstrap address accepts a TCP connection before a command starts its clients.
 *
 * <p>Why: a Kafka client retries an address that refuses connections until its API timeout, so "no broker there"
 * would cost the whole timeout and end in a vague "timed out waiting for a node assignment". A refused or
 * unresolvable address is known at once; this turns it into one line naming the address.
 */
final class Reachability {
    private Reachability() {}

    /** Throws a {@link CliException} naming the addresses if none of them accepts a connection within the time. */
    static void check(String bootstrapServers, int timeoutMs) throws CliException {
        List<String> failures = new ArrayList<>();
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        for (String address : bootstrapServers.split(",")) {
            String trimmed = address.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int remainingMs = (int) Math.max(1, (deadlineNs - System.nanoTime()) / 1_000_000L);
            String failure = tryConnect(trimmed, remainingMs);
            if (failure == null) {
                return;
            }
            failures.add(failure);
        }
        if (failures.isEmpty()) {
            throw new CliException("no bootstrap server given (--bootstrap-server HOST:PORT)");
        }
        throw new CliException("cannot reach " + bootstrapServers + ": " + String.join("; ", failures)
                + " (is a broker running there? --bootstrap-server to change)");
    }

    /** Null if {@code address} accepted a connection, else why not. */
    private static String tryConnect(String address, int timeoutMs) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            return address + " is not HOST:PORT";
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            return address + " has no valid port";
        }
        InetSocketAddress target = new InetSocketAddress(host, port);
        if (target.isUnresolved()) {
            return "unknown host " + host;
        }
        try (Socket socket = new Socket()) {
            socket.connect(target, timeoutMs);
            return null;
        } catch (ConnectException e) {
            return "connection refused";
        } catch (SocketTimeoutException e) {
            return "no answer to connect within " + timeoutMs + " ms";
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
