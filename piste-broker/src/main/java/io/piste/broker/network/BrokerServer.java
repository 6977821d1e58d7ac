package io.piste.broker.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.piste.broker.protocol.ApiVersionsTable;
import io.piste.broker.protocol.RequestHandler;
import io.piste.broker.protocol.RequestObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka listener: a Netty server (native epoll when available) whose pipeline is an idle timer
 * ({@code connections.max.idle.ms}), a length-prefixed frame decoder bounded by {@code socket.request.max.bytes},
 * then a {@link KafkaConnection}; all connections share one {@link QueuedRequests} ({@code queued.max.requests}).
 */
public final class BrokerServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrokerServer.class);

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Channel serverChannel;

    private BrokerServer(EventLoopGroup bossGroup, EventLoopGroup workerGroup, Channel serverChannel) {
        this.bossGroup = bossGroup;
        this.workerGroup = workerGroup;
        this.serverChannel = serverChannel;
    }

    /**
     * Kafka's socket server settings, as the listener applies them.
     *
     * @param eventLoops         the event loops that read, handle and answer requests
     * @param maxRequestBytes    {@code socket.request.max.bytes}: a longer frame closes the connection
     * @param queuedMaxRequests  {@code queued.max.requests}: see {@link QueuedRequests}
     * @param connectionsMaxIdleMs {@code connections.max.idle.ms}: a connection that reads and writes nothing for this
     *                           long, with no request waiting for its answer, is closed; 0 or less never
     */
    public record Settings(int eventLoops, int maxRequestBytes, int queuedMaxRequests, long connectionsMaxIdleMs) {}

    public static BrokerServer bind(
            String host, int port, Settings settings, RequestHandler handler, ApiVersionsTable apiVersions)
            throws InterruptedException {
        return bind(host, port, settings, handler, apiVersions, RequestObserver.NONE);
    }

    /** As above, with {@code observer} told of every answered request (metrics). */
    public static BrokerServer bind(
            String host,
            int port,
            Settings settings,
            RequestHandler handler,
            ApiVersionsTable apiVersions,
            RequestObserver observer)
            throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup boss =
                new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(
                settings.eventLoops(), epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        QueuedRequests queued = new QueuedRequests(settings.queuedMaxRequests());
        Class<? extends ServerSocketChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (settings.connectionsMaxIdleMs() > 0) {
                            // Before the decoder: any byte read or written is activity, a whole frame or not.
                            ch.pipeline()
                                    .addLast(
                                            "idle",
                                            new IdleStateHandler(
                                                    0, 0, settings.connectionsMaxIdleMs(), TimeUnit.MILLISECONDS));
                        }
                        ch.pipeline()
                                .addLast(
                                        "frames",
                                        new LengthFieldBasedFrameDecoder(settings.maxRequestBytes(), 0, 4, 0, 4))
                                .addLast("kafka", new KafkaConnection(handler, apiVersions, queued, observer));
                    }
                });
        InetSocketAddress address =
                host == null || host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        try {
            Channel channel = bootstrap.bind(address).sync().channel();
            log.debug("Listening on {} with {} transport", channel.localAddress(), epoll ? "epoll" : "nio");
            return new BrokerServer(boss, workers, channel);
        } catch (RuntimeException | InterruptedException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Stops accepting connections; open connections are closed when the event loops stop. */
    public void stopAccepting() {
        serverChannel.close().syncUninterruptibly();
    }

    @Override
    public void close() {
        stopAccepting();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
