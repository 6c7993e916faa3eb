package io.qtx.agent.footprint;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The reference the agent's start and memory are measured against (build-scripts/measure-agent):
 * a JVM that does the least an agent must, connect to its port, then blocks in {@code read}
 * until the other side goes away. Run with the agent's own JVM options.
 */
public final class BareClient {

    private BareClient() {
    }

    public static void main(String[] args) throws Exception {
        try (SocketChannel port = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
            while (port.read(ByteBuffer.allocate(1)) >= 0) {
                // the simulator relays nothing to a guest without a host; a byte changes nothing
            }
        }
    }
}
