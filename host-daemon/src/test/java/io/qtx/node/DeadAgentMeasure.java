package io.qtx.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.qtx.proto.Request;
import io.qtx.proto.SystemInfoRequest;
import io.qtx.sim.SimulatedChannel;

/**
 * A measuring tool, not a test: how long after the first request qx-node, with its default
 * settings (probe.timeout 2 s, heartbeat 5 s / 15 s), reports an agent that died. A fake agent
 * sending telemetry every second is detached (as a guest agent's death looks to QEMU's host
 * side: nothing), at a random phase of its telemetry, and a request with the default 10 s
 * timeout is sent at once.
 *
 * <pre>java -cp ... io.qtx.node.DeadAgentMeasure [trials]</pre>
 */
public final class DeadAgentMeasure {

    private DeadAgentMeasure() {
    }

    public static void main(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < trials; i++) {
            try (Rig rig = new Rig()) {
                SimulatedChannel ch = rig.vm("vm-1");
                FakeAgent agent = new FakeAgent(rig.agentLoop, ch.guestSocket(), "guest", rig.handlers,
                        Duration.ofSeconds(1));
                agent.attach().get(10, TimeUnit.SECONDS);
                rig.startNode(NodeConfig.defaults().withSocketDir(rig.dir).withHttp("127.0.0.1", 0, null)
                        .withRescan(Duration.ofSeconds(2)));
                rig.awaitState("vm-1", VmState.READY);
                Thread.sleep(1000 + (long) (Math.random() * 1000));
                agent.detach().get(10, TimeUnit.SECONDS);
                long t0 = System.nanoTime();
                String outcome;
                try {
                    rig.node.request("vm-1", Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()))
                            .get(30, TimeUnit.SECONDS);
                    outcome = "answered?";
                } catch (ExecutionException e) {
                    outcome = NodeException.of(e).code().name();
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                times.add(ms);
                System.out.printf("trial %d: %s after %d ms%n", i + 1, outcome, ms);
            }
        }
        times.sort(null);
        System.out.printf("dead agent reported after: min %d ms, median %d ms, max %d ms (%d trials)%n", times.get(0),
                times.get(times.size() / 2), times.get(times.size() - 1), times.size());
    }
}
