package io.qtx.agent.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.agent.Agent;
import io.qtx.agent.SystemActions;
import io.qtx.agent.config.AgentConfig;
import io.qtx.sim.ChannelSimulator;
import io.qtx.sim.SimulatedChannel;
import io.qtx.testkit.Await;

/** Waiting for a port that is not there yet, and the states on the way. */
class ConnectionTest {

    @TempDir
    Path dir;

    @Test
    void waitsForThePortWithoutPollingAndConnectsWhenItAppears() throws Exception {
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        Path port = dir.resolve("vm-1.port.sock");
        AgentConfig config = AgentConfig.defaults().with(Map.of("port", "unix:" + port, "telemetry.interval", "0"));
        try (Agent agent = new Agent(config, SystemActions.real(), states::add)) {
            agent.start();
            Await.until("the agent waiting for its port", () -> states.equals(List.of(ConnectionState.WAITING_FOR_PORT)));
            long wakeups = agent.loop().wakeups();
            // Time passes on purpose: what is tested is that nothing wakes the loop meanwhile but
            // the safety-net checks (at 1 s, 3 s, 7 s), so no condition could end this wait.
            Thread.sleep(2000);
            // The 1 s safety-net timer and its doubling: a handful of wake-ups, not a spin.
            assertTrue(agent.loop().wakeups() - wakeups <= 3, "wake-ups " + (agent.loop().wakeups() - wakeups));
            try (ChannelSimulator sim = ChannelSimulator.start(dir)) {
                SimulatedChannel ch = sim.addVm("vm-1");
                // inotify sees the socket file appear, long before the 7 s check.
                ch.awaitStats(s -> s.guestAttached(), Duration.ofSeconds(2));
                Await.until("the handshake state", () -> states.contains(ConnectionState.HANDSHAKE));
                assertEquals(List.of(ConnectionState.WAITING_FOR_PORT, ConnectionState.HANDSHAKE), states);
            }
        }
        assertEquals(ConnectionState.STOPPED, states.get(states.size() - 1));
    }
}
