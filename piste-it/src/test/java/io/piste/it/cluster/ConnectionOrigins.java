package io.piste.it.cluster;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Which node process opened a loopback TCP connection, found the way {@code ss -p} finds it on Linux: the socket
 * whose local port is the connection's source port and whose remote port is where it connected, in {@code
 * /proc/net/tcp} and {@code tcp6}, then the process holding that socket's inode among the nodes' file descriptors.
 * Anything else (the test's own clients) is {@link #CLIENT}.
 */
final class ConnectionOrigins {
    /** The origin of a connection that no node opened. */
    static final int CLIENT = 0;

    private static final List<Path> TCP_TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    /** The nodes' current process ids, by node id - 1 (a restarted node has a new one). */
    private final Supplier<long[]> nodePids;

    ConnectionOrigins(Supplier<long[]> nodePids) {
        this.nodePids = nodePids;
    }

    /** The id of the node that opened the connection from {@code sourcePort} to {@code destinationPort}, else 0. */
    int originOf(int sourcePort, int destinationPort) {
        String inode = socketInode(sourcePort, destinationPort);
        if (inode == null) {
            return CLIENT;
        }
        String link = "socket:[" + inode + "]";
        long[] pids = nodePids.get();
        for (int i = 0; i < pids.length; i++) {
            if (pids[i] > 0 && holds(pids[i], link)) {
                return i + 1;
            }
        }
        return CLIENT;
    }

    private static String socketInode(int sourcePort, int destinationPort) {
        String local = ":" + hexPort(sourcePort);
        String remote = ":" + hexPort(destinationPort);
        for (Path table : TCP_TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue; // no IPv6 on this machine
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && fields[1].endsWith(local) && fields[2].endsWith(remote)) {
                    return fields[9];
                }
            }
        }
        return null;
    }

    private static boolean holds(long pid, String socketLink) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    if (socketLink.equals(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed while we looked
                }
            }
        } catch (IOException e) {
            return false; // the process is gone
        }
        return false;
    }

    private static String hexPort(int port) {
        return String.format(Locale.ROOT, "%04X", port);
    }
}
