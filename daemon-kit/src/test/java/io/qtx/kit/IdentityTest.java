package io.qtx.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.proto.AgentCounters;
import io.qtx.proto.Pong;
import io.qtx.proto.Role;
import io.qtx.session.Handshake;

class IdentityTest {

    @TempDir
    Path root;

    @Test
    void bootIdAndHostnameFromTheKernelAndAFreshInstanceEachTime() throws Exception {
        Files.createDirectories(root.resolve("proc/sys/kernel/random"));
        Files.writeString(root.resolve("proc/sys/kernel/random/boot_id"), "b0075ee1-0000-4000-8000-000000000001\n");
        Files.writeString(root.resolve("proc/sys/kernel/hostname"), "guest7\n");
        Handshake.Identity a = Identity.of(Role.ROLE_HOST, "1.2.3", 4096, null, root);
        Handshake.Identity b = Identity.of(Role.ROLE_HOST, "1.2.3", 4096, null, root);
        assertEquals("b0075ee1-0000-4000-8000-000000000001", a.bootId());
        assertEquals("guest7", a.hostname());
        assertEquals(Role.ROLE_HOST, a.role());
        assertEquals("1.2.3", a.softwareVersion());
        assertEquals(4096, a.maxPayloadBytes());
        assertNull(a.capabilities());
        assertEquals(Identity.INSTANCE_BYTES, a.instanceId().size());
        assertNotEquals(a.instanceId(), b.instanceId(), "a restart must look different from a reconnect");
    }

    @Test
    void unreadableKernelFilesLeaveTheFieldsEmpty() {
        Handshake.Identity a = Identity.of(Role.ROLE_AGENT, "1", 1, null, root.resolve("absent"));
        assertEquals("", a.bootId());
        assertEquals("", a.hostname());
    }

    @Test
    void aPongCarriesTheUptimeAndTheCounters() {
        Uptime uptime = new Uptime();
        Pong pong = uptime.pong(AgentCounters.newBuilder().setReconnects(3));
        assertEquals(3, pong.getCounters().getReconnects());
        assertTrue(pong.getUptimeMs() >= 0 && pong.getUptimeMs() <= uptime.millis());
    }
}
