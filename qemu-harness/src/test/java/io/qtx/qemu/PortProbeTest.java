package io.qtx.qemu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;

import io.qtx.epoll.EventLoop;
import io.qtx.ffi.Fd;
import io.qtx.qemu.probe.PortProbe;
import io.qtx.testkit.Await;

/**
 * The FFM stack (ffi/ and epoll/) on a real virtio-serial port: what the guest sees with and
 * without a host, as {@link PortProbe} reports it on the console, and what the host gets.
 */
class PortProbeTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** How long the loop is watched with no host, at least. */
    private static final long IDLE_MILLIS = 3000;

    private static GuestProgram probe(String... args) throws Exception {
        return GuestProgram.javaTrainedOnHost(PortProbe.class, List.of(EventLoop.class, Fd.class), args);
    }

    private static QemuVm bootProbe(String vmId, String... args) throws Exception {
        QemuVm vm = QemuVm.boot(VmOptions.of(vmId, probe(args)));
        try {
            vm.awaitConsoleLine("probe: open ok", WAIT);
            return vm;
        } catch (AssertionError | RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    @Test
    void withNoHostThePortHangsUpReadsZeroWritesEagainAndTheEdgeTriggeredLoopSleeps() throws Exception {
        try (QemuVm vm = bootProbe("probe-nohost", "--stats-ms=1000")) {
            vm.awaitConsoleLine("probe: first-read n=0$", WAIT);
            vm.awaitConsoleLine("probe: first-write EAGAIN", WAIT);
            vm.awaitConsoleLine("probe: registered edge-triggered", WAIT);
            vm.awaitConsoleLine("probe: event n=1 events=READABLE\\|HANGUP$", WAIT);
            // Measured between two stats lines, after the loop's own start-up (class loading and
            // the JIT under TCG) is over.
            Matcher from = awaitStats(vm);
            long t0 = Long.parseLong(from.group(1));
            Matcher to;
            do {
                to = awaitStats(vm);
            } while (Long.parseLong(to.group(1)) - t0 < IDLE_MILLIS);
            long millis = Long.parseLong(to.group(1)) - t0;
            long wakeups = Long.parseLong(to.group(2)) - Long.parseLong(from.group(2));
            long portEvents = Long.parseLong(to.group(3));
            long cpuMillis = Long.parseLong(to.group(4)) - Long.parseLong(from.group(4));
            System.out.printf("qemu: no host for %d ms: %d loop wake-ups, %d port event(s) in all, %d ms loop CPU%n",
                    millis, wakeups, portEvents, cpuMillis);
            assertEquals(1, portEvents, "the port woke the loop once (IN|HUP), then not again with no host");
            // Only the stats timer, once a second; a level-triggered loop makes hundreds of thousands.
            assertTrue(wakeups <= Math.round(millis / 1000.0) + 1, "loop wake-ups " + wakeups + " in " + millis + " ms");
            // The loop's CPU time is printed above, not asserted: under TCG it follows the host's load,
            // and a spin already shows in the wake-up count.
            assertFalse(vm.consoleLines().stream().anyMatch(l -> l.startsWith("probe: event n=2")),
                    "no second port event without a host");
        }
    }

    @Test
    void onHostConnectTheLoopWakesWritableAndBytesFlowBothWaysAtOnce() throws Exception {
        try (QemuVm vm = bootProbe("probe-duplex")) {
            vm.awaitConsoleLine("probe: event n=1 events=READABLE\\|HANGUP$", WAIT);
            try (HostEnd host = HostEnd.connect(vm.socketPath(), WAIT)) {
                // The greeting comes while the guest is also waiting to read and the host sends
                // nothing: a pending read does not hold a write back.
                assertEquals("HELLO 1", host.readLine(WAIT));
                Matcher woke = vm.awaitConsoleLine("probe: event n=2 events=(\\S+)", WAIT);
                assertTrue(woke.group(1).contains("WRITABLE"), woke.group(0));
                vm.awaitConsoleLine("probe: host connected connection=1", WAIT);

                // 1 MiB each way at once: far more than QEMU's, the virtqueue's and the probe's
                // buffers hold, so it completes only if both directions move together.
                byte[] sent = pattern(1 << 20);
                long start = System.nanoTime();
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        host.write(sent);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                byte[] echoed = host.read(sent.length, Duration.ofSeconds(120));
                writer.get(10, TimeUnit.SECONDS);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("qemu: 1 MiB echoed through the guest in %.2f s (%.0f KiB/s each way)%n",
                        seconds, 1024 / seconds);
                assertArrayEquals(sent, echoed);
            }
            vm.awaitConsoleLine("probe: host gone connection=1 bytes-in=1048576 bytes-out=1048584", WAIT);
        }
    }

    @Test
    void aSecondOpenOfThePortFailsWithEbusy() throws Exception {
        try (QemuVm vm = bootProbe("probe-ebusy")) {
            Matcher second = vm.awaitConsoleLine("probe: second-open (.*)", WAIT);
            assertTrue(second.group(1).startsWith("failed errno=EBUSY message=open(/dev/vport"), second.group(0));
        }
    }

    @Test
    void bytesTheHostWroteBeforeTheGuestOpenedThePortArriveAtOpen() throws Exception {
        try (QemuVm vm = QemuVm.boot(VmOptions.of("probe-stale", probe("--await-file=/tmp/go")))) {
            vm.awaitConsoleLine("probe: waiting for /tmp/go", WAIT);
            try (HostEnd host = HostEnd.connect(vm.socketPath(), WAIT)) {
                host.write("stale-request\n");
                vm.sendConsoleLine("qtx-touch go");
                vm.awaitConsoleLine("probe: open ok", WAIT);
                vm.awaitConsoleLine("probe: first-write n=8", WAIT);
                assertEquals("HELLO 1", host.readLine(WAIT));
                assertEquals("stale-request", host.readLine(WAIT));
                // The first read at open has them, unless QEMU (its own thread, on a loaded host)
                // had not pushed them in yet: then it says EAGAIN and the loop's first read has them.
                String got = Await.value("the guest's read of the stale request", WAIT, () -> vm.consoleLines().stream()
                        .filter(l -> l.matches(".*probe: (first-)?read n=14 data=stale-request\\\\n$")).findFirst(),
                        java.util.Optional::isPresent).get();
                System.out.println("qemu: the stale request was read by: " + got.substring(got.indexOf("probe: ")));
            }
        }
    }

    @Test
    void aSecondHostClientIsNotServedWhileTheFirstIsConnectedAndIsServedAfter() throws Exception {
        try (QemuVm vm = bootProbe("probe-second")) {
            vm.awaitConsoleLine("probe: event n=1 events=READABLE\\|HANGUP$", WAIT);
            try (HostEnd first = HostEnd.connect(vm.socketPath(), WAIT);
                    HostEnd second = HostEnd.connect(vm.socketPath(), WAIT)) {
                assertEquals("HELLO 1", first.readLine(WAIT));
                second.write("from-second\n");
                first.write("from-first\n");
                assertEquals("from-first", first.readLine(WAIT));
                // The first client's echo came back, so the guest is running; the second's line
                // would have been echoed by now had QEMU read it.
                assertThrows(AssertionError.class, () -> second.readLine(Duration.ofSeconds(2)));
                assertEquals(0, second.receivedCount(), "the second client got nothing while the first was there");
                first.close();
                // QEMU accepts the waiting client at once, so the guest may see no hang-up at
                // all between the two: it cannot tell host connections apart by epoll events.
                String served = second.readUntil("from-second\n", WAIT);
                System.out.println("qemu: second client, once the first left, got: " + served.replace("\n", "\\n")
                        + "; the guest " + (vm.consoleLines().stream().anyMatch(l -> l.startsWith("probe: host gone"))
                                ? "saw" : "did not see") + " a hang-up in between");
            }
        }
    }

    @Test
    void aHostConnectedBeforeBootGetsTheFirstByteAsSoonAsTheGuestOpens() throws Exception {
        try (QemuVm vm = QemuVm.start(VmOptions.of("probe-first-byte", probe()))) {
            try (HostEnd host = HostEnd.connect(vm.socketPath(), WAIT)) {
                long connectedAt = System.nanoTime() - vm.startNanos();
                assertEquals("HELLO 1", host.readLine(Duration.ofSeconds(90)));
                long firstByte = host.firstByteNanos() - vm.startNanos();
                vm.awaitReady();
                vm.awaitConsoleLine("probe: first-write n=8", WAIT);
                System.out.printf("qemu: boot to first byte %.2f s (port ready %.2f s; host connected %.2f s after start)%n",
                        firstByte / 1e9, vm.bootToReady().toNanos() / 1e9, connectedAt / 1e9);
            }
        }
    }

    private static Matcher awaitStats(QemuVm vm) throws InterruptedException {
        return vm.awaitConsoleLine(
                "probe: stats t-ms=(\\d+) loop-wakeups=(\\d+) port-events=(\\d+) cpu-ms=(\\d+) connected=false", WAIT);
    }

    private static byte[] pattern(int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 8));
        }
        return bytes;
    }
}
