package io.piste.broker.config;

import io.piste.broker.config.BrokerConfig.Endpoint;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses {@code listeners} and {@code advertised.listeners}: {@code NAME://host:port}, IPv6 hosts in brackets, the
 * security protocol looked up in {@code listener.security.protocol.map}. Piste serves one PLAINTEXT listener (none on
 * a controller-only node, which may list only its CONTROLLER listener, as Kafka requires of it); a
 * {@code listeners} entry named in {@code controller.listener.names} is where a cluster node's quorum member binds
 * (as Kafka's controller), and {@code controller.quorum.voters} is where the others reach it.
 */
final class Listeners {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
    private static final String PLAINTEXT = "PLAINTEXT";
    private static final int PORT_MAX = 65535;

    private Listeners() {}

    /** Returns the listener to bind and the one to advertise, in that order. */
    static List<Endpoint> parse(BrokerConfig config) {
        Map<String, String> protocols =
                protocolMap((String) config.value(BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP_CONFIG));
        Set<String> controllerNames = names((String) config.value(BrokerConfig.CONTROLLER_LISTENER_NAMES_CONFIG));
        String listenersValue = (String) config.value(BrokerConfig.LISTENERS_CONFIG);
        List<Endpoint> listeners =
                parseList(BrokerConfig.LISTENERS_CONFIG, listenersValue, protocols, controllerNames, false);
        if (listeners.isEmpty() && config.processRoles().equals(Set.of("controller"))) {
            return List.of(); // it serves no clients: Kafka's controllers list only their CONTROLLER listener
        }
        if (listeners.size() != 1) {
            throw new ConfigException(
                    BrokerConfig.LISTENERS_CONFIG,
                    listenersValue,
                    "Piste serves exactly one PLAINTEXT listener yet, got " + listeners.size());
        }
        Endpoint listener = listeners.get(0);
        if (!PLAINTEXT.equals(listener.securityProtocol())) {
            throw new ConfigException(
                    BrokerConfig.LISTENERS_CONFIG,
                    listenersValue,
                    "Piste supports only the PLAINTEXT security protocol yet, not " + listener.securityProtocol());
        }
        String advertisedValue = (String) config.value(BrokerConfig.ADVERTISED_LISTENERS_CONFIG);
        Endpoint advertised = listener;
        if (advertisedValue != null) {
            advertised = null;
            for (Endpoint e : parseList(
                    BrokerConfig.ADVERTISED_LISTENERS_CONFIG, advertisedValue, protocols, controllerNames, false)) {
                if (e.listenerName().equals(listener.listenerName())) {
                    advertised = e;
                }
            }
            if (advertised == null) {
                throw new ConfigException(
                        BrokerConfig.ADVERTISED_LISTENERS_CONFIG,
                        advertisedValue,
                        "no entry for listener " + listener.listenerName());
            }
        }
        if ("0.0.0.0".equals(advertised.host())) {
            throw new ConfigException(
                    BrokerConfig.ADVERTISED_LISTENERS_CONFIG,
                    advertised.toString(),
                    "cannot advertise the nonroutable meta-address 0.0.0.0; set advertised.listeners to a routable "
                            + "address");
        }
        if (advertised.host().isEmpty()) {
            // An empty host binds every interface; clients are given this machine's name, as Kafka does.
            advertised = new Endpoint(
                    advertised.listenerName(), advertised.securityProtocol(), canonicalHostName(), advertised.port());
        }
        return List.of(listener, advertised);
    }

    /** The first {@code listeners} entry named in {@code controller.listener.names}, if there is one. */
    static Optional<Endpoint> controllerListener(BrokerConfig config) {
        Map<String, String> protocols =
                protocolMap((String) config.value(BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP_CONFIG));
        Set<String> controllerNames = names((String) config.value(BrokerConfig.CONTROLLER_LISTENER_NAMES_CONFIG));
        String listenersValue = (String) config.value(BrokerConfig.LISTENERS_CONFIG);
        return parseList(BrokerConfig.LISTENERS_CONFIG, listenersValue, protocols, controllerNames, true).stream()
                .findFirst();
    }

    /** Parses one {@code NAME://host:port}. */
    static Endpoint parseEndpoint(String key, String text, Map<String, String> protocols) {
        int sep = text.indexOf("://");
        int colon = text.lastIndexOf(':');
        if (sep <= 0 || colon <= sep + 2) {
            throw new ConfigException(key, text, "expected NAME://host:port");
        }
        String name = text.substring(0, sep).toUpperCase(Locale.ROOT);
        String host = text.substring(sep + 3, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new ConfigException(key, text, "an IPv6 host must be written in brackets");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key, text, "port is not a number");
        }
        if (port < 0 || port > PORT_MAX) {
            throw new ConfigException(key, text, "port must be between 0 and " + PORT_MAX);
        }
        String protocol = protocols.get(name);
        if (protocol == null) {
            throw new ConfigException(
                    key,
                    text,
                    "listener name " + name + " is not in " + BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP_CONFIG);
        }
        return new Endpoint(name, protocol, host, port);
    }

    /** The entries of {@code value} named in {@code controllerNames} if {@code controllers}, else the others. */
    private static List<Endpoint> parseList(
            String key, String value, Map<String, String> protocols, Set<String> controllerNames, boolean controllers) {
        List<Endpoint> endpoints = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String part : value.split(",")) {
            String text = part.trim();
            if (text.isEmpty()) {
                continue;
            }
            Endpoint e = parseEndpoint(key, text, protocols);
            if (!seen.add(e.listenerName())) {
                throw new ConfigException(key, value, "listener name " + e.listenerName() + " is repeated");
            }
            if (controllerNames.contains(e.listenerName()) == controllers) {
                endpoints.add(e); // a controller listener is the quorum's, not a broker listener
            }
        }
        return endpoints;
    }

    private static Map<String, String> protocolMap(String value) {
        Map<String, String> map = new HashMap<>();
        for (String part : value.split(",")) {
            String entry = part.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new ConfigException(
                        BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP_CONFIG, value, "expected NAME:PROTOCOL pairs");
            }
            map.put(
                    entry.substring(0, colon).trim().toUpperCase(Locale.ROOT),
                    entry.substring(colon + 1).trim().toUpperCase(Locale.ROOT));
        }
        return map;
    }

    private static Set<String> names(String value) {
        Set<String> names = new HashSet<>();
        if (value != null) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    names.add(part.trim().toUpperCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    private static String canonicalHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            LOG.warn("Cannot resolve the local host name, advertising localhost", e);
            return "localhost";
        }
    }
}
