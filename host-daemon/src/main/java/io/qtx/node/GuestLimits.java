package io.qtx.node;

import java.time.Duration;

import io.qtx.protocol.WireLimits;
import io.qtx.proto.Envelope;
import io.qtx.session.InboundBudget;

/**
 * What one guest may cost qx-node, and when it is judged misbehaving. Every VM is untrusted:
 * these bounds hold whatever its guest sends (host-daemon/README, "Memory budget").
 *
 * @param inbound structural limits on every envelope (checked before parsing), the per-wake-up
 *        budget and the rates; over a rate qx-node stops reading the VM for a while
 * @param historyBytes encoded telemetry kept per VM (history and latest together)
 * @param maxReportBytes largest telemetry report kept; a bigger one is refused and counted
 * @param helloRetryMax unanswered Hellos are repeated ever more slowly, up to this
 * @param window offences are counted over this window
 * @param throttlesToQuarantine rate-limit pauses within the window that quarantine a VM
 * @param garbageBytesToQuarantine bytes skipped, or payloads refused (counted as 1 KiB each),
 *        within the window that quarantine a VM
 * @param handshakesToQuarantine Hellos sent without a handshake while the guest does send bytes
 * @param unresponsiveToQuarantine times a VM went unresponsive within the window
 * @param quarantineMin first quarantine: how long before the next connect
 * @param quarantineMax quarantines double up to this
 * @param warnEvery at most one WARNING line per VM per this
 */
public record GuestLimits(InboundBudget inbound, int historyBytes, int maxReportBytes, Duration helloRetryMax,
                          Duration window, int throttlesToQuarantine, long garbageBytesToQuarantine,
                          int handshakesToQuarantine, int unresponsiveToQuarantine, Duration quarantineMin,
                          Duration quarantineMax, Duration warnEvery) {

    /** What refusing an envelope counts as, in garbage bytes. */
    static final long REFUSED_ENVELOPE_BYTES = 1024;

    /**
     * Bounds on what an envelope from a guest may make the parser build. Telemetry and Hellos
     * are kept, so their bounds are tight; responses are passed on to one API caller and
     * dropped, so theirs only keep one frame's parse small (a process list of a few thousand
     * entries still fits). A string or bytes field may fill the frame (exec output, file
     * chunks): its cost is its length, with no amplification.
     */
    public static WireLimits guestWireLimits() {
        return WireLimits.of(Envelope.getDescriptor())
                .repeated(4096).strings(256 * 1024).objects(16 * 1024).depth(12)
                .type("qtx.v1.Hello", 16, 256)
                .type("qtx.v1.Capabilities", 64, 256)
                .field("qtx.v1.TelemetryReport.hostname", 1, 256)
                .field("qtx.v1.TelemetryReport.filesystems", 64, 1024)
                .field("qtx.v1.TelemetryReport.interfaces", 64, 1024)
                .type("qtx.v1.Filesystem", 1, 1024)
                .type("qtx.v1.NetInterface", 32, 64)
                .build();
    }

    public static GuestLimits defaults() {
        // Bytes: a file transfer runs at up to 8 MiB/s per VM; frames: telemetry at 1 Hz and
        // requests need a handful a second, 500/s leaves room for exec/file bursts.
        InboundBudget inbound = new InboundBudget(guestWireLimits(), 64 * 1024, 32, 8 << 20, 500, 20, 2);
        return new GuestLimits(inbound, 128 * 1024, 64 * 1024, Duration.ofSeconds(60), Duration.ofSeconds(60),
                30, 256 * 1024, 8, 3, Duration.ofSeconds(30), Duration.ofMinutes(30), Duration.ofMinutes(10));
    }

    public GuestLimits withInbound(InboundBudget budget) {
        return new GuestLimits(budget, historyBytes, maxReportBytes, helloRetryMax, window, throttlesToQuarantine,
                garbageBytesToQuarantine, handshakesToQuarantine, unresponsiveToQuarantine, quarantineMin,
                quarantineMax, warnEvery);
    }

    public GuestLimits withQuarantine(Duration window, int throttles, long garbageBytes, int handshakes,
                                      int unresponsive, Duration min, Duration max) {
        return new GuestLimits(inbound, historyBytes, maxReportBytes, helloRetryMax, window, throttles, garbageBytes,
                handshakes, unresponsive, min, max, warnEvery);
    }

    public GuestLimits withHistory(int bytes, int maxReport) {
        return new GuestLimits(inbound, bytes, maxReport, helloRetryMax, window, throttlesToQuarantine,
                garbageBytesToQuarantine, handshakesToQuarantine, unresponsiveToQuarantine, quarantineMin,
                quarantineMax, warnEvery);
    }

    public GuestLimits withHelloRetryMax(Duration max) {
        return new GuestLimits(inbound, historyBytes, maxReportBytes, max, window, throttlesToQuarantine,
                garbageBytesToQuarantine, handshakesToQuarantine, unresponsiveToQuarantine, quarantineMin,
                quarantineMax, warnEvery);
    }
}
