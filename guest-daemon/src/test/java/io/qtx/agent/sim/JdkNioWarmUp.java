package io.qtx.agent.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Opens the descriptor the JDK keeps for life at its first NIO channel (the simulator runs on
 * NIO) before any test class, so FdLeakCheck does not charge it to the first class that runs.
 */
public final class JdkNioWarmUp implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            SocketChannel.open(StandardProtocolFamily.UNIX).close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
