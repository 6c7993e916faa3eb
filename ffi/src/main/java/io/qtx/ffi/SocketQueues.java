package io.qtx.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.qtx.ffi.generated.Linux;

/**
 * How much of what we wrote to a Unix stream socket the peer has not read yet.
 *
 * <p>On AF_UNIX the bytes a sender wrote stay charged to the sender until the receiver reads
 * them, and {@code ioctl(SIOCOUTQ)} reports that charge. qx-node uses it to tell "QEMU reads
 * us but the guest is silent" (0) from "we sit in QEMU's listen backlog and nobody reads"
 * (what we wrote is still there).
 */
public final class SocketQueues {

    private SocketQueues() {
    }

    /** Bytes written to {@code socket} that its peer has not read. */
    public static int unreadByPeer(Fd socket) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(Linux.C_INT);
            int r = RawSyscalls.ioctl(socket.checkedValue("ioctl(SIOCOUTQ)"), ExtraConstants.SIOCOUTQ, out);
            Syscalls.check("ioctl(SIOCOUTQ)", socket.description(), r);
            return out.get(Linux.C_INT, 0);
        }
    }
}
