package io.piste.cluster.quorum;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One voter of the metadata quorum, as Kafka's {@code controller.quorum.voters} names it: {@code id@host:port},
 * where the port is the node's CONTROLLER listener (a host may be an IPv6 address in brackets).
 */
public record QuorumVoter(int id, String host, int port) {

    /** More voters than any Raft quorum would run (each write waits for a majority of them). */
    static final int MAX_VOTERS = 64;

    public QuorumVoter {
        if (id < 0) {
            throw new IllegalArgumentException("voter id must not be negative, got " + id);
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> "[]@,/ ".indexOf(c) >= 0 || Character.isISOControl(c))) {
            throw new IllegalArgumentException("voter " + id + " has no valid host: '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("voter " + id + " port " + port + " outside 1..65535");
        }
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Parses {@code controller.quorum.voters}: {@code 1@host1:9093,2@host2:9093,...}.
     *
     * @throws IllegalArgumentException naming the entry that is wrong: no {@code @} or port, an id or port that is
     *     not a number, an id or address twice, none at all or more than {@value #MAX_VOTERS}
     */
    public static List<QuorumVoter> parseAll(String value) {
        String[] entries = entries(value, "controller.quorum.voters", "voters");
        List<QuorumVoter> voters = new ArrayList<>(entries.length);
        Set<Integer> ids = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (String entry : entries) {
            QuorumVoter voter = parse(entry.trim());
            if (!ids.add(voter.id())) {
                throw new IllegalArgumentException("controller.quorum.voters names voter " + voter.id() + " twice");
            }
            if (!addresses.add(voter.address())) {
                throw new IllegalArgumentException(
                        "controller.quorum.voters names address " + voter.address() + " twice");
            }
            voters.add(voter);
        }
        return List.copyOf(voters);
    }

    /**
     * The comma-separated entries of {@code key}'s {@code value}, of which there must be 1 to {@value #MAX_VOTERS}
     * ({@code what} names them in the error).
     */
    static String[] entries(String value, String key, String what) {
        String trimmed = value.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException(key + " is empty");
        }
        String[] entries = trimmed.split(",", -1);
        if (entries.length > MAX_VOTERS) {
            throw new IllegalArgumentException(
                    key + " names " + entries.length + " " + what + ", at most " + MAX_VOTERS);
        }
        return entries;
    }

    private static QuorumVoter parse(String entry) {
        int at = entry.indexOf('@');
        int colon = entry.lastIndexOf(':');
        if (at <= 0 || colon < at + 2 || colon == entry.length() - 1) {
            throw new IllegalArgumentException(
                    "controller.quorum.voters entry '" + entry + "' is not of the form id@host:port");
        }
        String host = entry.substring(at + 1, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new QuorumVoter(
                    Integer.parseInt(entry.substring(0, at)), host, Integer.parseInt(entry.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "controller.quorum.voters entry '" + entry + "': id and port must be numbers", e);
        }
    }
}
