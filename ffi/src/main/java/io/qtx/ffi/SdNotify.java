package io.qtx.ffi;

import java.nio.charset.StandardCharsets;

/**
 * The sd_notify(3) protocol: one datagram of "KEY=value" lines to {@code $NOTIFY_SOCKET},
 * sent through FFM. Without the variable (not started by systemd) every call does nothing.
 * Both daemons run as {@code Type=notify} services through this one class.
 */
public final class SdNotify {

    private static final System.Logger LOG = System.getLogger(SdNotify.class.getName());

    private final String socket;

    public SdNotify(String socket) {
        this.socket = socket == null || socket.isEmpty() ? null : socket;
    }

    public static SdNotify fromEnvironment() {
        return new SdNotify(System.getenv("NOTIFY_SOCKET"));
    }

    public boolean enabled() {
        return socket != null;
    }

    /** Sends {@code state}, e.g. "READY=1\nSTATUS=waiting for host"; failures are logged once per call. */
    public void send(String state) {
        if (socket == null) {
            return;
        }
        try {
            AdminCalls.sendDatagram(socket, state.getBytes(StandardCharsets.UTF_8));
        } catch (NativeException e) {
            LOG.log(System.Logger.Level.WARNING, "sd_notify " + state.replace('\n', ' ') + ": " + e.getMessage());
        }
    }

    /** Half of $WATCHDOG_USEC (as sd_watchdog_enabled(3) advises), or 0 when no watchdog is asked for. */
    public static long watchdogIntervalMicros() {
        String usec = System.getenv("WATCHDOG_USEC");
        String pid = System.getenv("WATCHDOG_PID");
        if (usec == null || (pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            return 0;
        }
        try {
            return Long.parseLong(usec) / 2;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
