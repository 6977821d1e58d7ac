package io.piste.it.cluster;

import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link ThreeNodes} whose every connection goes through a {@link LinkProxy}: each node binds its broker listener
 * and its quorum member (its CONTROLLER listener) on ports of its own, and advertises, as its broker listener and
 * its voter address, the ports of two proxies in front of them. The {@link Links} decide what passes.
 */
final class ProxiedThreeNodes implements AutoCloseable {
    private final Links links = new Links();
    private final List<LinkProxy> proxies = new ArrayList<>();
    private final List<BrokerProcess> nodes;

    ProxiedThreeNodes(BrokerProcesses brokers, Path dir, Map<String, String> extra) throws IOException {
        List<BrokerProcess> started = new CopyOnWriteArrayList<>();
        ConnectionOrigins origins = new ConnectionOrigins(() ->
                started.stream().mapToLong(n -> n.isAlive() ? n.pid() : -1).toArray());
        int[] quorumProxyPorts = new int[3];
        List<Map<String, String>> network = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            int brokerPort = ThreeNodes.freePort();
            int quorumPort = ThreeNodes.freePort();
            int brokerProxyPort = ThreeNodes.freePort();
            quorumProxyPorts[id - 1] = ThreeNodes.freePort();
            proxies.add(new LinkProxy(id, Links.Channel.BROKER, brokerProxyPort, brokerPort, links, origins));
            proxies.add(new LinkProxy(id, Links.Channel.QUORUM, quorumProxyPorts[id - 1], quorumPort, links, origins));
            Map<String, String> config = new HashMap<>(extra);
            config.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + quorumPort);
            config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerProxyPort);
            network.add(config);
        }
        ThreeNodes.start(brokers, dir, ThreeNodes.voters(quorumProxyPorts), id -> network.get(id - 1), started);
        this.nodes = List.copyOf(started);
    }

    List<BrokerProcess> nodes() {
        return nodes;
    }

    Links links() {
        return links;
    }

    @Override
    public void close() {
        links.heal();
        proxies.forEach(LinkProxy::close);
    }
}
