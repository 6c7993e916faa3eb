package io.qtx.node;

/**
 * sd_notify(3) for {@code Type=notify}: one datagram to {@code $NOTIFY_SOCKET}. A no-op when
 * not started by systemd.
 */
final class SystemdNotify {

    private SystemdNotify() {
    }

    /** Sends {@code state} ("READY=1", ...); failures are logged, never fatal. */
    static boolean notify(String state) {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return false;
        }
        try {
            io.qtx.ffi.AdminCalls.sendDatagram(socket, state.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return true;
        } catch (io.qtx.ffi.NativeException e) {
            System.getLogger(SystemdNotify.class.getName()).log(System.Logger.Level.WARNING,
                    "sd_notify {0} to {1}: {2}", state, socket, e.getMessage());
            return false;
        }
    }
}
