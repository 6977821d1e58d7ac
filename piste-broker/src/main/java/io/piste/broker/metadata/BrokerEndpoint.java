package io.piste.broker.metadata;

/** Where clients reach a broker on one of its listeners: the listener's name, security protocol, host and port. */
public record BrokerEndpoint(String listener, String securityProtocol, String host, int port) {

    public BrokerEndpoint {
        if (listener.isEmpty() || securityProtocol.isEmpty() || host.isEmpty()) {
            throw new IllegalArgumentException("an endpoint needs a listener, a security protocol and a host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("endpoint port " + port + " outside 0..65535");
        }
    }
}
