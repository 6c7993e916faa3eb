package io.qtx.node;

import io.qtx.proto.TelemetryReport;

/** A telemetry report and when it arrived, on qx-node's clock. */
public record TelemetryEntry(TelemetryReport report, long receivedUnixMs) {
}
