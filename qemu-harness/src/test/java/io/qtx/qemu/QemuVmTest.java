package io.qtx.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The harness itself against real QEMU: boot, the port, the console, power-off and kill. */
class QemuVmTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * Answers the host's first line. The port stays open from the first try on: what reaches
     * the guest while a reader holds the port open but has not read is discarded when it closes
     * the port (virtio-serial.md). A reader per try that met end-of-file (no host yet) and
     * closed could lose the host's line that came in between, and the guest waited forever
     * (seen once in CI: multi-a never answered).
     */
    private static GuestProgram busyboxAnswer(String id) {
        return GuestProgram.shell("""
                echo "guest: waiting on $QTX_PORT"
                exec 3<>"$QTX_PORT"
                while :; do read -r line <&3; [ -n "$line" ] && break; sleep 0.2; done
                echo "guest: got $line"
                echo "pong %s $line" >&3
                echo "guest: answered"
                """.formatted(id));
    }

    @Test
    void aBusyboxGuestFindsThePortByNameAndAnswersTheHostThenPowersOff() throws Exception {
        try (QemuVm vm = QemuVm.boot(VmOptions.of("smoke-busybox", busyboxAnswer("vm1")))) {
            assertTrue(vm.guestPort().matches("/dev/vport\\dp\\d"), vm.guestPort());
            assertTrue(vm.socketPath().toString().endsWith("/smoke-busybox.agent.sock"), vm.socketPath().toString());
            try (HostEnd host = HostEnd.connect(vm.socketPath(), WAIT)) {
                host.write("ping\n");
                assertEquals("pong vm1 ping", host.readLine(WAIT));
            }
            vm.awaitConsoleLine("guest: got ping", WAIT);
            vm.awaitConsoleLine("qtx-init: program exited status=0", WAIT);
            assertEquals(0, vm.awaitExit(WAIT), "QEMU's exit status after the guest's poweroff");
            assertFalse(vm.isRunning());
        }
    }

    @Test
    void aJavaGuestRunsOnTheJlinkedRuntimeAndWritesToThePort() throws Exception {
        GuestProgram program = GuestProgram.java(PortHello.class, List.of(), "jvm1");
        try (QemuVm vm = QemuVm.boot(VmOptions.of("smoke-java", program))) {
            vm.awaitConsoleLine("hello: java 25", WAIT);
            try (HostEnd host = HostEnd.connect(vm.socketPath(), WAIT)) {
                assertEquals("hello from java jvm1", host.readLine(WAIT));
            }
            vm.awaitConsoleLine("hello: written", WAIT);
            vm.awaitConsoleLine("qtx-init: program exited status=0", WAIT);
        }
    }

    @Test
    void severalVmsRunAtOnceEachOnItsOwnSocketAndOneCanBeKilled() throws Exception {
        try (QemuVm a = QemuVm.start(VmOptions.of("multi-a", busyboxAnswer("a")));
                QemuVm b = QemuVm.start(VmOptions.of("multi-b", busyboxAnswer("b")))) {
            a.awaitReady();
            b.awaitReady();
            try (HostEnd hostA = HostEnd.connect(a.socketPath(), WAIT);
                    HostEnd hostB = HostEnd.connect(b.socketPath(), WAIT)) {
                hostB.write("to-b\n");
                hostA.write("to-a\n");
                assertEquals("pong a to-a", hostA.readLine(WAIT));
                assertEquals("pong b to-b", hostB.readLine(WAIT));
            }
            a.kill();
            assertFalse(a.isRunning());
            assertTrue(b.isRunning() || b.awaitExit(Duration.ZERO) == 0, "b is untouched by a's kill");
        }
    }

    @Test
    void closePowersOffAGuestThatIsStillRunning() throws Exception {
        QemuVm vm = QemuVm.boot(VmOptions.of("power-off", GuestProgram.shell("echo guest: idle; sleep 600")));
        try {
            vm.awaitConsoleLine("guest: idle", WAIT);
            assertTrue(vm.isRunning());
        } finally {
            vm.close();
        }
        assertFalse(vm.isRunning());
        assertTrue(vm.consoleLines().stream().anyMatch(l -> l.contains("qtx-init: power-off requested")),
                "the guest powered itself off on request rather than being killed");
    }

    @Test
    void aGuestPastItsTimeLimitPowersItselfOff() throws Exception {
        VmOptions options = VmOptions.of("time-limit", GuestProgram.shell("echo guest: stuck; sleep 600"))
                .withTimeLimit(Duration.ofSeconds(8));
        try (QemuVm vm = QemuVm.boot(options)) {
            vm.awaitConsoleLine("guest: stuck", WAIT);
            vm.awaitConsoleLine("qtx-init: time limit of 8s reached, powering off", WAIT);
            assertEquals(0, vm.awaitExit(WAIT), "QEMU's exit status after the guest's poweroff");
        }
    }
}
