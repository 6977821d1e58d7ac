package io.piste.broker.network;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A {@link DefaultFileRegion} over a log segment's channel that leaves the channel open when released.
 *
 * <p>The segment owns its {@link FileChannel}; Netty's region would close it after the send. Staying a
 * {@code DefaultFileRegion} keeps the native epoll transport on its {@code sendfile} path.
 */
final class SharedFileRegion extends DefaultFileRegion {

    SharedFileRegion(FileChannel channel, long position, long count) {
        super(channel, position, count);
    }

    @Override
    protected void deallocate() {
        // The channel belongs to the log segment, which closes it when the segment is closed.
    }
}
