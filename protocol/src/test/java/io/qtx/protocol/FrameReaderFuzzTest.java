package io.qtx.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.qtx.framing.ByteRing;
import io.qtx.framing.CompactingRing;
import io.qtx.framing.FrameDescriptor;
import io.qtx.framing.FrameHandler;
import io.qtx.framing.FrameReader;
import io.qtx.framing.MirroredRing;

/**
 * Feeds the reader whatever Jazzer makes up, in chunks Jazzer chooses, with resets and stall
 * checks between them, through the protobuf decode step. Any exception, a stuck ring or bytes
 * unaccounted for is a finding.
 *
 * <p>In the normal test run this replays the saved corpus in
 * {@code src/test/resources/io/qtx/protocol/FrameReaderFuzzTestInputs/}. To fuzz for real:
 * {@code JAZZER_FUZZ=1 qtx_mvn -pl protocol -am verify -Dtest=FrameReaderFuzzTest} after
 * {@code source build-scripts/lib.sh} (protocol/README.md has the whole line); new findings land in
 * that directory and then run on every build.
 */
class FrameReaderFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void readerNeverThrowsStallsOrLosesCount(FuzzedDataProvider data) {
        int maxPayload = data.consumeInt(0, 4096);
        boolean mirrored = data.consumeBoolean();
        int chunks = data.consumeInt(1, 16);
        int[] chunkSizes = new int[chunks];
        for (int i = 0; i < chunks; i++) {
            chunkSizes[i] = data.consumeInt(1, 5000);
        }
        long resetEvery = data.consumeInt(0, 5);
        byte[] input = data.consumeRemainingAsBytes();

        ByteRing ring = mirrored ? MirroredRing.tryAllocate(FrameReader.ringCapacity(maxPayload)) : null;
        if (ring == null) {
            ring = new CompactingRing(FrameReader.ringCapacity(maxPayload));
        }
        long[] frameBytes = {0};
        EnvelopeDecoder decoder = new EnvelopeDecoder((e, v) -> { });
        FrameHandler handler = f -> {
            boolean ok = decoder.onFrame(f);
            if (ok) {
                frameBytes[0] += FrameDescriptor.headerLength(f.version()) + f.payloadLength();
            }
            return ok;
        };
        try (FrameReader reader = new FrameReader(ring, maxPayload, 1_000)) {
            int off = 0;
            long step = 0;
            while (off < input.length) {
                ByteRing r = reader.ring();
                int free = r.prepareWrite();
                int n = Math.min(Math.min(chunkSizes[(int) (step % chunks)], free), input.length - off);
                assertTrue(n > 0, "ring full and no progress");
                MemorySegment.copy(input, off, r.memory(), ValueLayout.JAVA_BYTE, r.writeOffset(), n);
                r.commit(n);
                off += n;
                reader.poll(handler);
                step++;
                if (resetEvery > 0 && step % resetEvery == 0) {
                    reader.reset();
                }
                reader.expire(step * 600);
                reader.poll(handler);
            }
            while (reader.reset()) {
                reader.poll(handler);
            }
            assertEquals(input.length, reader.stats().bytesSkipped() + frameBytes[0] + reader.ring().readableBytes());
            assertTrue(reader.ring().readableBytes() < FrameDescriptor.MAGIC_LENGTH);
        }
    }
}
