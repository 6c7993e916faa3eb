package io.qtx.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves more file descriptors open than it found.
 *
 * <p>Registered for every test class through JUnit's extension auto-detection (see the parent
 * pom's surefire configuration), so no module can forget it. The JVM opens a few descriptors
 * lazily (jar files, /dev/random), so the check waits briefly for transient ones and then
 * names every descriptor that is new, with its target, so a leak is easy to trace.
 */
public final class FdLeakCheck implements BeforeAllCallback, AfterAllCallback {

    private static final Path PROC_FD = Path.of("/proc/self/fd");
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FdLeakCheck.class);

    static {
        // The JDK keeps one socket open for life from the first NIO channel on (the descriptor it
        // dup2()s over closed ones). Opening one here, before any snapshot, keeps it out of the count.
        try (var warmUp = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            warmUp.isOpen();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
        VirtualThreadPollers.open();
    }

    /**
     * Likewise the pollers behind blocking I/O on virtual threads: epoll instances the JDK
     * creates on the first such read and keeps for life. A read that times out creates them.
     * (A class of its own: a virtual thread running a lambda of a class still initialising
     * would wait for that initialisation forever.)
     */
    private static final class VirtualThreadPollers {
        static void open() {
            Thread reader = Thread.ofVirtual().start(VirtualThreadPollers::timedOutRead);
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static void timedOutRead() {
            try (var server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                 var socket = new java.net.Socket(server.getInetAddress(), server.getLocalPort())) {
                socket.setSoTimeout(1);
                socket.getInputStream().read();
            } catch (IOException expected) {
                // the timeout
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("before", openFds());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        @SuppressWarnings("unchecked")
        Map<Integer, String> before = context.getStore(NS).get("before", Map.class);
        if (before == null) {
            return;
        }
        Map<Integer, String> leaked = Map.of();
        // Closes handed to another thread (an event loop stopping) may land a moment later.
        for (int attempt = 0; attempt < 50; attempt++) {
            leaked = newSince(before);
            if (leaked.isEmpty()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(context.getDisplayName() + " leaked " + leaked.size()
                + " file descriptor(s): " + leaked);
    }

    /** The descriptors open now that were not open in {@code before}, ignoring JVM-internal ones. */
    public static Map<Integer, String> newSince(Map<Integer, String> before) {
        Map<Integer, String> now = openFds();
        Map<Integer, String> leaked = new TreeMap<>();
        now.forEach((fd, target) -> {
            if (!target.equals(before.get(fd)) && !jvmInternal(target)) {
                leaked.put(fd, target);
            }
        });
        return leaked;
    }

    /** Every open descriptor of this process with what it points at. */
    public static Map<Integer, String> openFds() {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(PROC_FD)) {
            entries.forEach(p -> {
                try {
                    fds.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // The descriptor used to list the directory is gone by the time we read it.
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + PROC_FD, e);
        }
        return fds;
    }

    private static boolean jvmInternal(String target) {
        // Class-path jars and the JDK's own files are opened on first use and kept.
        return target.endsWith(".jar") || target.endsWith(".jsa") || target.endsWith("/modules")
                || target.startsWith("/dev/urandom") || target.startsWith("/dev/random")
                || target.contains("/surefire") || target.endsWith(".so")
                || target.matches("/proc/\\d+/fd"); // the handle that lists this very directory
    }
}
