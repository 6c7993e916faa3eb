package io.qtx.node.qemu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import io.qtx.node.Node;
import io.qtx.node.NodeConfig;
import io.qtx.node.api.ApiServer;
import io.qtx.qemu.QemuVm;
import io.qtx.qemu.VmOptions;

/**
 * The demo's {@code --qemu}: boots one real VM with the guest daemon inside (qemu-harness) and
 * runs qx-node and its API on its socket directory, in this process; stops both on SIGTERM.
 * Prints the same "API at" line as qx-node, which build-scripts/demo reads.
 */
public final class QemuDemo {

    private QemuDemo() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int limitSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 3600;
        Files.createDirectories(dir);
        NodeConfig config = NodeConfig.defaults().withSocketDir(dir).withHttp("127.0.0.1", 0, null)
                .withTimings(Duration.ofSeconds(2), Duration.ofSeconds(8), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(5))
                // A TCG guest on a loaded host can leave its agent without CPU for seconds (see RequestsOnTimeInQemuTest).
                .withProbeTimeout(Duration.ofSeconds(20));
        Node node = Node.start(config);
        ApiServer api = ApiServer.start(node, config);
        System.out.println("qx-node (in-process, with a QEMU VM): watching " + dir + "; API at " + api.baseUrl()
                + "/api/v1 ");
        QemuVm vm = QemuVm.start(VmOptions.of("qemu-1", AgentInQemu.program(1000)).withSocketDir(dir)
                .withTimeLimit(Duration.ofSeconds(limitSeconds)));
        System.out.println("QEMU started: console log " + vm.consoleLog());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                vm.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            api.close();
            node.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
