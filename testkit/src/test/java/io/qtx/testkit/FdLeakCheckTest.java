package io.qtx.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FdLeakCheckTest {

    @Test
    void namesADescriptorOpenedSinceTheSnapshotAndForgetsItOnceClosed() throws Exception {
        Map<Integer, String> before = FdLeakCheck.openFds();
        try (FileInputStream in = new FileInputStream("/proc/self/status")) {
            Map<Integer, String> leaked = FdLeakCheck.newSince(before);
            assertEquals(1, leaked.size(), leaked.toString());
            assertTrue(leaked.values().iterator().next().endsWith("/status"), leaked.toString());
        }
        assertEquals(Map.of(), FdLeakCheck.newSince(before));
    }
}
