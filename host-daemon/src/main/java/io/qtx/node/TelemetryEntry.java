package io.qtx.node;

import com.google.protobuf.InvalidProtocolBufferException;

import io.qtx.proto.TelemetryReport;

/**
 * A telemetry report as kept: its validated encoding (what it costs is its length, not a tree
 * of objects) and when it arrived, on qx-node's clock. Decoded when someone asks.
 */
public record TelemetryEntry(byte[] encoded, long receivedUnixMs) {

    static TelemetryEntry of(TelemetryReport report, long receivedUnixMs) {
        return new TelemetryEntry(report.toByteArray(), receivedUnixMs);
    }

    /** The report; it was validated before it was kept, so it decodes. */
    public TelemetryReport report() {
        try {
            return TelemetryReport.parseFrom(encoded);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a kept telemetry report no longer decodes", e);
        }
    }

    /** What this entry holds on the heap, roughly: the array and the record. */
    long heapBytes() {
        return encoded.length + 64L;
    }
}
