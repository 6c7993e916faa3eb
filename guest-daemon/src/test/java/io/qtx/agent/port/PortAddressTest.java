package io.qtx.agent.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Port lookup against a fake /sys and /dev. */
class PortAddressTest {

    @TempDir
    Path root;

    private void port(String vport, String name) throws Exception {
        Path sys = Files.createDirectories(root.resolve("sys/class/virtio-ports/" + vport));
        if (name != null) {
            Files.writeString(sys.resolve("name"), name + "\n");
        }
        Files.createDirectories(root.resolve("dev"));
        Files.writeString(root.resolve("dev/" + vport), "");
    }

    @Test
    void findsThePortBySysfsNameWhateverItsNumber() throws Exception {
        port("vport1p1", "org.qemu.guest_agent.0");
        port("vport1p2", "org.quantix.agent.0");
        PortAddress a = new PortAddress("org.quantix.agent.0", root);
        assertEquals(root.resolve("dev/vport1p2").toString(), a.locate());
        assertTrue(a.describe().contains("org.quantix.agent.0"));
    }

    @Test
    void fallsBackToTheUdevLinkThenLegacyPaths() throws Exception {
        PortAddress a = new PortAddress("org.quantix.agent.0", root);
        assertNull(a.locate());
        Files.createDirectories(root.resolve("dev/virtio-ports"));
        Files.writeString(root.resolve("dev/virtio-ports/org.limiquantix.agent.0"), "");
        assertEquals(root.resolve("dev/virtio-ports/org.limiquantix.agent.0").toString(), a.locate());
        Files.writeString(root.resolve("dev/virtio-ports/org.quantix.agent.0"), "");
        assertEquals(root.resolve("dev/virtio-ports/org.quantix.agent.0").toString(), a.locate());
    }

    @Test
    void aNumberedNodeIsTakenOnlyWhenSysfsGivesItNoName() throws Exception {
        port("vport0p1", "org.qemu.guest_agent.0");
        PortAddress a = new PortAddress("org.quantix.agent.0", root);
        assertNull(a.locate(), "never another service's port");
        Files.writeString(root.resolve("dev/vport1p1"), "");
        assertEquals(root.resolve("dev/vport1p1").toString(), a.locate());
    }

    @Test
    void socketsAndPathsAreTakenAsGiven() throws Exception {
        Path sock = root.resolve("x.sock");
        PortAddress s = new PortAddress("unix:" + sock, root);
        assertTrue(s.isSocket());
        assertNull(s.locate());
        assertEquals(java.util.List.of(root.toString()), s.watchDirectories());
        Files.writeString(sock, "");
        assertEquals("unix:" + sock, s.locate());
        PortAddress d = new PortAddress(root.resolve("dev/ttyX").toString(), root);
        assertNull(d.locate());
    }
}
