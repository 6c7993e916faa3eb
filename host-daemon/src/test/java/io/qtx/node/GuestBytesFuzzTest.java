package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.util.JsonFormat;

import io.qtx.framing.ByteRing;
import io.qtx.framing.CompactingRing;
import io.qtx.protocol.EnvelopeDecoder;
import io.qtx.framing.FrameReader;
import io.qtx.proto.Envelope;
import io.qtx.proto.TelemetryReport;

/**
 * Everything qx-node does with a guest's bytes, minus the socket: frames from the ring, the
 * structural limits before parsing, the envelope, validation, the telemetry history, the
 * conduct judge, and the outputs (JSON, log-safe text). Any exception, a kept report that
 * fails validation or no longer decodes, history over its byte bound, or guest text that
 * reaches a line unescaped is a finding.
 *
 * <p>Normal builds replay {@code src/test/resources/io/qtx/node/GuestBytesFuzzTestInputs/}. To
 * fuzz for real (host-daemon/README, "Fuzzing"): {@code JAZZER_FUZZ=1 qtx_mvn -pl host-daemon -am
 * test -Dtest=GuestBytesFuzzTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class GuestBytesFuzzTest {

    private static final GuestLimits LIMITS = GuestLimits.defaults();
    private static final int MAX_PAYLOAD = 256 * 1024;

    @FuzzTest(maxDuration = "12m")
    void whatQxNodeDoesWithGuestBytes(byte[] input) throws Exception {
        int chunk = input.length == 0 ? 1 : 1 + (input[0] & 0xff) * 17;
        TelemetryStore store = new TelemetryStore(60, LIMITS.historyBytes());
        Conduct conduct = new Conduct(LIMITS, 0);
        EnvelopeDecoder decoder = new EnvelopeDecoder((e, v) -> handle(e, store, conduct),
                LIMITS.inbound().limits());
        ByteRing ring = new CompactingRing(FrameReader.ringCapacity(MAX_PAYLOAD));
        try (FrameReader reader = new FrameReader(ring, MAX_PAYLOAD, 1_000)) {
            int off = Math.min(1, input.length);
            long step = 0;
            while (off < input.length) {
                ByteRing r = reader.ring();
                int free = r.prepareWrite();
                int n = Math.min(Math.min(chunk, free), input.length - off);
                assertTrue(n > 0, "ring full and no progress");
                MemorySegment.copy(input, off, r.memory(), ValueLayout.JAVA_BYTE, r.writeOffset(), n);
                r.commit(n);
                off += n;
                reader.poll(decoder, 32); // the per-wake-up frame budget
                reader.expire(++step * 600);
            }
            reader.resetAll(decoder);
            conduct.garbage(reader.stats().bytesSkipped(), decoder.invalid() + decoder.unusable() + decoder.overLimits());
            String why = conduct.judge(Long.MAX_VALUE / 2, false);
            if (why != null) {
                assertTrue(GuestText.isPlain(GuestText.safe(why, 1024)));
            }
        }
        assertTrue(store.bytes() <= LIMITS.historyBytes(), "history over its bound: " + store.bytes());
        for (TelemetryEntry e : store.history()) {
            assertNull(GuestMessages.checkTelemetry(e.report(), LIMITS.maxReportBytes()));
            JsonFormat.printer().print(e.report());
        }
    }

    private static void handle(Envelope e, TelemetryStore store, Conduct conduct) {
        switch (e.getPayloadCase()) {
            case TELEMETRY -> {
                TelemetryReport r = e.getTelemetry();
                if (GuestMessages.checkTelemetry(r, LIMITS.maxReportBytes()) != null || !store.add(r, 1)) {
                    conduct.reportRefused();
                } else {
                    assertEquals(r, store.latest().report(), "kept as it came");
                }
            }
            case HELLO -> {
                for (String text : new String[] {e.getHello().getHostname(), e.getHello().getSoftwareVersion()}) {
                    String shown = GuestText.safe(text, 64);
                    assertTrue(shown.chars().noneMatch(c -> c < 0x20 || c == 0x7f), shown);
                    assertTrue(shown.length() <= 64 * 6 + 1, "bounded: " + shown.length());
                }
            }
            default -> {
                try {
                    JsonFormat.printer().print(e);
                } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                    throw new AssertionError(ex);
                }
            }
        }
    }
}
