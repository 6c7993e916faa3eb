package io.qtx.sim;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A simulator with one channel, vm-1, in a fresh directory for every test. */
abstract class OneChannelTest {

    @TempDir
    Path dir;
    ChannelSimulator sim;
    SimulatedChannel ch;

    @BeforeEach
    void startSimulator() throws IOException {
        sim = ChannelSimulator.start(dir);
        ch = sim.addVm("vm-1");
    }

    @AfterEach
    void closeSimulator() {
        sim.close();
    }
}
