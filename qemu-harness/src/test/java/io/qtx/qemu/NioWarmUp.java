package io.qtx.qemu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Opens and closes one NIO socket before any test class runs. The JDK keeps one socket
 * descriptor for good from the first NIO socket on (the descriptor its asynchronous close
 * dup2()s over a socket another thread is blocked in), and testkit's FdLeakCheck would blame
 * that on whichever test class first used a socket.
 */
public final class NioWarmUp implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            SocketChannel.open(StandardProtocolFamily.UNIX).close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
