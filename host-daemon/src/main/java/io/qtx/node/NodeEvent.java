package io.qtx.node;

import io.qtx.proto.TelemetryReport;

/**
 * What qx-node pushes to consumers that should not poll: a VM's state change, or a telemetry
 * report. {@code telemetry} is null for state changes.
 */
public record NodeEvent(Kind kind, String vm, VmState state, String message, long unixMs,
                        TelemetryReport telemetry) {

    public enum Kind {
        STATE,
        TELEMETRY
    }

    static NodeEvent state(String vm, VmState state, String message, long unixMs) {
        return new NodeEvent(Kind.STATE, vm, state, message, unixMs, null);
    }

    static NodeEvent telemetry(String vm, VmState state, TelemetryReport report, long unixMs) {
        return new NodeEvent(Kind.TELEMETRY, vm, state, null, unixMs, report);
    }
}
