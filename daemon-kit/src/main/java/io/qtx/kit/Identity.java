package io.qtx.kit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

import com.google.protobuf.ByteString;

import io.qtx.proto.Capabilities;
import io.qtx.proto.Role;
import io.qtx.session.Handshake;

/**
 * Who a daemon is in its Hello: its role and version, a random instance id fresh at each start
 * (so the peer can tell a restart from a reconnect), this kernel's boot id and the host name.
 */
public final class Identity {

    /** Bytes of the instance id. */
    static final int INSTANCE_BYTES = 16;

    private Identity() {
    }

    /** This process, as {@code role}; {@code capabilities} is null for a host. */
    public static Handshake.Identity of(Role role, String version, int maxPayloadBytes, Capabilities capabilities) {
        return of(role, version, maxPayloadBytes, capabilities, Path.of("/"));
    }

    /** The same, reading the kernel's files under {@code root} (a test's fake /proc). */
    static Handshake.Identity of(Role role, String version, int maxPayloadBytes, Capabilities capabilities, Path root) {
        byte[] instance = new byte[INSTANCE_BYTES];
        new SecureRandom().nextBytes(instance);
        return new Handshake.Identity(role, version, ByteString.copyFrom(instance),
                line(root.resolve("proc/sys/kernel/random/boot_id")), maxPayloadBytes, capabilities,
                line(root.resolve("proc/sys/kernel/hostname")));
    }

    /** The file's text stripped, or "" when it cannot be read: a Hello without it still works. */
    private static String line(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
