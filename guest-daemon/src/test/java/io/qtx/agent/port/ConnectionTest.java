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
            Thread.sleep(1500);
            assertEquals(List.of(ConnectionState.WAITING_FOR_PORT), states);
            long wakeups = agent.loop().wakeups();
            // The safety-net checks fall at 1 s, 3 s, 7 s: the socket appears at about 3.5 s.
            Thread.sleep(2000);
            // The 1 s safety-net timer and its doubling: a handful of wake-ups, not a spin.
            assertTrue(agent.loop().wakeups() - wakeups <= 3, "wake-ups " + (agent.loop().wakeups() - wakeups));
            try (ChannelSimulator sim = ChannelSimulator.start(dir)) {
                SimulatedChannel ch = sim.addVm("vm-1");
                // inotify sees the socket file appear, long before the 7 s check.
                ch.awaitStats(s -> s.guestAttached(), Duration.ofSeconds(2));
                long end = System.nanoTime() + 5_000_000_000L;
                while (!states.contains(ConnectionState.HANDSHAKE) && System.nanoTime() < end) {
                    Thread.sleep(10);
                }
                assertEquals(List.of(ConnectionState.WAITING_FOR_PORT, ConnectionState.HANDSHAKE), states);
            }
        }
        assertEquals(ConnectionState.STOPPED, states.get(states.size() - 1));
    }
}
