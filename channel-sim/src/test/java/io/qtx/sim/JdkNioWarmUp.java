package io.qtx.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Lets the JDK open the descriptor it keeps for life before any test class runs.
 *
 * <p>The first NIO socket or file channel makes the JDK open one socket of a socketpair that it
 * keeps until exit (it dup2s it over descriptors being closed, so a racing thread cannot hit a
 * reused number). Opened inside a test class, FdLeakCheck would count it as that class's leak.
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
