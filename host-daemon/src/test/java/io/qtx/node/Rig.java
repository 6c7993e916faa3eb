package io.qtx.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.qtx.epoll.EventLoop;
import io.qtx.sim.ChannelSimulator;
import io.qtx.sim.SimulatedChannel;
import io.qtx.testkit.Await;

/**
 * A test rig: a channel simulator in a fresh directory, qx-node watching it with short timings,
 * and fake agents on their own loop. Closing it closes everything it started.
 */
public final class Rig implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(20);

    final Path dir;
    final ChannelSimulator sim;
    final EventLoop agentLoop;
    public final FakeHandlers handlers = new FakeHandlers();
    private final List<FakeAgent> agents = new ArrayList<>();
    Node node;

    Rig() throws Exception {
        // Short: a Unix socket path must fit in 108 bytes.
        dir = Files.createTempDirectory(Path.of("/tmp"), "qxn");
        sim = ChannelSimulator.start(dir);
        agentLoop = EventLoop.start("fake-agents");
    }

    static NodeConfig fastConfig(Path dir) {
        return NodeConfig.defaults().withSocketDir(dir).withHttp("127.0.0.1", 0, null)
                .withTimings(Duration.ofMillis(300), Duration.ofMillis(1200), Duration.ofMillis(300),
                        Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofSeconds(5), Duration.ofMillis(1500))
                .withRescan(Duration.ofSeconds(2));
    }

    Node startNode() throws Exception {
        return startNode(fastConfig(dir));
    }

    Node startNode(NodeConfig config) throws Exception {
        node = Node.start(config);
        return node;
    }

    public SimulatedChannel vm(String id) throws Exception {
        return sim.addVm(id);
    }

    /** Attaches an agent answering with the rig's handlers and sending telemetry every 200 ms. */
    FakeAgent agent(SimulatedChannel ch) throws Exception {
        return agent(ch, true);
    }

    FakeAgent agent(SimulatedChannel ch, boolean answers) throws Exception {
        FakeAgent a = new FakeAgent(agentLoop, ch.guestSocket(), "guest-" + ch.vmId(), answers ? handlers : null,
                Duration.ofMillis(200));
        a.attach().get(10, TimeUnit.SECONDS);
        agents.add(a);
        return a;
    }

    VmSnapshot snapshot(String id) throws Exception {
        return node.vm(id).get(10, TimeUnit.SECONDS);
    }

    /** Waits until VM {@code id}'s snapshot satisfies {@code condition}; fails with the last one. */
    public VmSnapshot awaitVm(String id, String what, Predicate<VmSnapshot> condition) throws Exception {
        return awaitVm(node, id, what, WAIT, condition);
    }

    /** Waits until {@code node} knows VM {@code id} and its snapshot satisfies {@code condition}. */
    public static VmSnapshot awaitVm(Node node, String id, String what, Duration bound, Predicate<VmSnapshot> condition)
            throws InterruptedException {
        return Await.value("VM " + id + ": " + what, bound, () -> {
            try {
                return node.vm(id).get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException notDiscoveredYet) {
                return null;
            }
        }, s -> s != null && condition.test(s));
    }

    public VmSnapshot awaitState(String id, VmState state) throws Exception {
        return awaitVm(id, state.json(), s -> s.state() == state);
    }

    @Override
    public void close() throws Exception {
        for (FakeAgent a : agents) {
            a.detach().get(10, TimeUnit.SECONDS);
        }
        if (node != null) {
            node.close();
        }
        agentLoop.close();
        sim.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
