package io.qtx.qemu.probe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.IoEvents;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Syscalls;

/**
 * The guest program of the real-QEMU tests: opens the agent port through {@code ffi/}, runs it
 * on an {@code epoll/} event loop, and reports what the kernel does as {@code probe:} lines on
 * the console, which the tests on the host read. It echoes every byte the host sends and
 * greets each host connection with {@code HELLO <n>\n}.
 *
 * <p>Before the loop it checks, once, the things a daemon meets at start: the port opens while
 * no host is there, a second open fails, and a first read and write show whether a host is
 * there and whether the host left bytes behind.
 *
 * <pre>
 * java io.qtx.qemu.probe.PortProbe [--port=/dev/vportNpM] [--await-file=/tmp/go] [--stats-ms=1000]
 * </pre>
 * The port defaults to {@code $QTX_PORT}, which the guest's /init sets.
 */
public final class PortProbe {

    private PortProbe() {
    }

    public static void main(String[] args) throws Exception {
        String port = System.getenv("QTX_PORT");
        Path awaitFile = null;
        long statsMillis = 1000;
        for (String arg : args) {
            if (arg.startsWith("--port=")) {
                port = arg.substring("--port=".length());
            } else if (arg.startsWith("--await-file=")) {
                awaitFile = Path.of(arg.substring("--await-file=".length()));
            } else if (arg.startsWith("--stats-ms=")) {
                statsMillis = Long.parseLong(arg.substring("--stats-ms=".length()));
            } else {
                throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        if (port == null) {
            throw new IllegalArgumentException("no --port and no QTX_PORT");
        }
        say("start port=" + port);
        if (awaitFile != null) {
            // Lets the test act on the host (write stale bytes, say) before the port is opened.
            say("waiting for " + awaitFile);
            while (!Files.exists(awaitFile)) {
                Thread.sleep(20);
            }
        }
        Fd fd;
        try {
            fd = Syscalls.openDevice(port);
        } catch (NativeException e) {
            say("open failed errno=" + e.errnoName() + " message=" + e.getMessage());
            System.exit(1);
            return;
        }
        say("open ok " + fd.description());
        checkSecondOpen(port);

        PortEcho echo = new PortEcho(fd);
        echo.firstReadAndWrite();
        EventLoop loop = EventLoop.start("probe-loop");
        loop.execute(() -> echo.register(loop, IoEvents.READABLE | IoEvents.WRITABLE | IoEvents.PEER_CLOSED));
        long start = System.nanoTime();
        loop.scheduleAtFixedRate(Duration.ofMillis(statsMillis), Duration.ofMillis(statsMillis), () -> say(
                "stats t-ms=" + (System.nanoTime() - start) / 1_000_000 + " loop-wakeups=" + loop.wakeups()
                        + " port-events=" + echo.events() + " cpu-ms=" + loop.cpuTimeNanos() / 1_000_000
                        + " connected=" + echo.connected()));
        // The VM is powered off from the host; the loop runs until then.
        new CountDownLatch(1).await();
    }

    private static void checkSecondOpen(String port) {
        try (Fd again = Syscalls.openDevice(port)) {
            say("second-open ok " + again.description());
        } catch (NativeException e) {
            say("second-open failed errno=" + e.errnoName() + " message=" + e.getMessage());
        }
    }

    static void say(String line) {
        System.out.println("probe: " + line);
        System.out.flush();
    }
}
