package io.qtx.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.qtx.qemu.GuestProgram;
import io.qtx.qemu.QemuVm;
import io.qtx.qemu.VmOptions;

/**
 * What an operator does, end to end: qx-node runs on the host from its packaged tarball; the
 * agent ISO is attached to a real QEMU VM as a CD-ROM; inside, the disc is mounted and
 * install.sh run. The busybox guest has neither dpkg nor rpm nor an init system, so install.sh
 * takes the tarball path and starts the agent itself; the agent it installed must then reach
 * {@code ready} with qx-node and answer through it. Then {@code install.sh --uninstall --purge}
 * takes it away again, and qx-node sees it go.
 */
class AgentIsoInVmTest {

    private static final String VM = "iso-install";
    private static final Duration WAIT = Duration.ofSeconds(300);
    private static final Duration QXCTL = Duration.ofSeconds(60);

    /** The guest's program: mount the disc, install from it, wait, uninstall on request. */
    private static final String GUEST_SCRIPT = """
            i=0
            while [ ! -b /dev/sr0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
            mkdir -p /media/cdrom
            mount -t iso9660 -o ro /dev/sr0 /media/cdrom || { echo "qtx-iso: cannot mount /dev/sr0"; exit 1; }
            echo "qtx-iso: mounted: $(ls /media/cdrom | tr '\\n' ' ')"
            sh /media/cdrom/install.sh
            echo "qtx-iso: install.sh exit=$?"
            # The agent's log on the console, where the test (and whoever reads its log) sees it.
            tail -n +1 -f /var/log/quantix-kvm-agent.log | sed 's/^/qtx-agent-log: /' &
            while [ ! -e /tmp/uninstall ]; do sleep 1; done
            sh /media/cdrom/install.sh --uninstall --purge
            echo "qtx-iso: uninstall exit=$?"
            while [ ! -e /tmp/done ]; do sleep 1; done
            """;

    @Test
    void theIsoInstallsTheAgentInAVmAndItReachesReadyWithThePackagedQxNode() throws Exception {
        Path iso = Packages.find("quantix-agent.iso");
        Path nodeTarball = Packages.find("qx-node-*-linux-x86_64.tar.gz");
        // Short: QEMU's socket path must stay under 108 bytes.
        Path work = Files.createTempDirectory("qtx-iso-");
        try {
            Path host = Files.createDirectories(work.resolve("host"));
            Packages.untar(nodeTarball, host);
            Path qxNode = host.resolve("opt/qtx/qx-node/bin/qx-node");
            Path qxctl = host.resolve("opt/qtx/qx-node/bin/qxctl");
            assertTrue(Files.isExecutable(qxNode) && Files.isExecutable(qxctl), "the host tarball has qx-node and qxctl");
            Path sockets = Files.createDirectories(work.resolve("vms"));
            Path config = Files.writeString(work.resolve("node.conf"), "# empty: the defaults, and flags below\n");
            // The API token in the test's own folder (qx-node's default is /var/lib/quantix-kvm):
            // owner-only, as qx-node demands of a token file it did not create.
            Path token = work.resolve("qx-node.token");
            Files.createFile(token, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(token, "iso-install-test-token-" + Long.toHexString(System.nanoTime()) + "\n");
            int port = freePort();
            String url = "http://127.0.0.1:" + port;
            Path nodeLog = Path.of("target", "qx-node-" + VM + ".log").toAbsolutePath();
            Files.createDirectories(nodeLog.getParent());
            Process node = new ProcessBuilder(Packages.command(qxNode, "--config", config.toString(),
                    "--socket_dir", sockets.toString(), "--api.listen", "127.0.0.1:" + port, "--api.token_file", token.toString(),
                    // A TCG guest's JVM can stall for seconds at its first process spawn (as in QemuGuestTest).
                    "--probe.timeout", "20s"))
                    .redirectErrorStream(true).redirectOutput(nodeLog.toFile()).start();
            try {
                VmOptions options = VmOptions.of(VM, GuestProgram.shell(GUEST_SCRIPT)).withCdrom(iso)
                        .withSocketDir(sockets).withMemoryMb(1024).withTimeLimit(Duration.ofSeconds(600));
                try (QemuVm vm = QemuVm.boot(options)) {
                    vm.awaitConsoleLine("qtx-iso: mounted: README.txt install.sh packages", WAIT);
                    vm.awaitConsoleLine("install.sh: unknown distribution, init system: none, package method: tarball", WAIT);
                    vm.awaitConsoleLine("install.sh: found the virtio port org.quantix.agent.0 at /dev/vport", WAIT);
                    vm.awaitConsoleLine("install.sh: wrote the default configuration /etc/quantix-kvm/agent.conf", WAIT);
                    vm.awaitConsoleLine("install.sh: unpacked quantix-kvm-agent-.*-linux-x86_64.tar.gz into /opt/quantix-kvm-agent", WAIT);
                    vm.awaitConsoleLine("install.sh: no service manager .*started the agent in the background, pid \\d+", WAIT);
                    vm.awaitConsoleLine("install.sh: done: quantix-kvm-agent \\S+ in /opt/quantix-kvm-agent", WAIT);
                    vm.awaitConsoleLine("qtx-iso: install.sh exit=0", WAIT);
                    vm.awaitConsoleLine("qtx-agent-log: .*state: waiting for port -> waiting for host", WAIT);

                    Qxctl ctl = new Qxctl(qxctl, url, token);
                    Packages.Run ping = awaitQxctl(ctl, node, vm, Set.of(0), "ping", VM);
                    System.out.printf("iso install: agent ready with qx-node %.1f s after QEMU started; %s%n",
                            vm.sinceStart().toMillis() / 1e3, ping.output().strip());
                    Packages.Run vms = ctl.run("--json", "vms");
                    assertTrue(vms.output().contains("\"" + VM + "\"") && vms.output().contains("\"ready\""), vms.output());
                    // The agent answers from the files install.sh put in place. Its first spawns in a TCG
                    // guest on a loaded host can take seconds (7 s seen): a deadline well past qxctl's 10 s.
                    Packages.Run conf = ctl.run("--timeout", "60000", "exec", VM, "--", "cat", "/etc/quantix-kvm/agent.conf");
                    assertEquals(0, conf.status(), conf.output());
                    assertTrue(conf.output().contains("port = org.quantix.agent.0"), conf.output());
                    // ... on the Java runtime the tarball brought (the launcher execs it under the same pid).
                    Packages.Run java = ctl.run("--timeout", "60000", "exec", VM, "--", "sh", "-c",
                            "readlink /proc/$(cat /run/quantix-kvm-agent.pid)/exe");
                    assertEquals(0, java.status(), java.output());
                    assertEquals("/opt/quantix-kvm-agent/runtime/bin/java", java.output().strip());

                    vm.sendConsoleLine("qtx-touch uninstall");
                    vm.awaitConsoleLine("install.sh: stopped the agent \\(pid \\d+\\)", WAIT);
                    vm.awaitConsoleLine("install.sh: removed /opt/quantix-kvm-agent and its service files", WAIT);
                    vm.awaitConsoleLine("install.sh: purged /etc/quantix-kvm/agent.conf", WAIT);
                    vm.awaitConsoleLine("qtx-iso: uninstall exit=0", WAIT);
                    // qx-node sees the agent gone: ping says "agent not ready" (72), or, once its
                    // liveness probe went unanswered, that the agent is unresponsive (73).
                    awaitQxctl(ctl, node, vm, Set.of(72, 73), "ping", VM);
                    vm.sendConsoleLine("qtx-touch done");
                }
            } finally {
                node.destroy();
                if (!node.waitFor(20, TimeUnit.SECONDS)) {
                    node.destroyForcibly();
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The packaged qxctl, pointed at the test's qx-node with its token. */
    private record Qxctl(Path bin, String url, Path token) {
        Packages.Run run(String... words) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(bin.toString(), "--url", url, "--token-file", token.toString()));
            command.addAll(List.of(words));
            return Packages.run(QXCTL, command.toArray(String[]::new));
        }
    }

    /** Runs qxctl every 2 s until it exits with one of {@code statuses}; fails with its last output. */
    private static Packages.Run awaitQxctl(Qxctl ctl, Process node, QemuVm vm, Set<Integer> statuses, String... words)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Packages.Run last = null;
        while (System.nanoTime() < deadline && node.isAlive() && vm.isRunning()) {
            last = ctl.run(words);
            if (statuses.contains(last.status())) {
                return last;
            }
            Thread.sleep(2000); // a pace, not a guess: every look starts a qxctl process
        }
        throw new AssertionError("qxctl " + String.join(" ", words) + " never exited " + statuses + " (qx-node "
                + (node.isAlive() ? "running" : "exited " + node.exitValue()) + ", VM " + (vm.isRunning() ? "running" : "stopped")
                + "); last: " + (last == null ? "none" : last.status() + " " + last.output().strip()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
