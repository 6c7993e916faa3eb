package io.qtx.framing;

/**
 * A reader's counters at one moment, for a daemon's metrics. Every value is cumulative since the
 * reader was made.
 *
 * @param frames frames handed to the handler and accepted by it
 * @param payloadBytes payload bytes of those frames
 * @param bytesSkipped bytes dropped while looking for a frame: garbage between frames and the
 *     first byte of every frame given up (the rest of such a frame is scanned again)
 * @param resyncsOversize frames given up because their length exceeded the maximum
 * @param resyncsIntegrity QTX2 frames given up because a CRC32C did not match
 * @param resyncsDecode frames whose handler rejected the payload
 * @param resyncsAbandoned incomplete frames given up by reset() or the stall bound
 */
public record ReaderStats(long frames, long payloadBytes, long bytesSkipped, long resyncsOversize,
        long resyncsIntegrity, long resyncsDecode, long resyncsAbandoned) {

    /** All resyncs, whatever the reason. */
    public long resyncs() {
        return resyncsOversize + resyncsIntegrity + resyncsDecode + resyncsAbandoned;
    }

    /** The count for one reason. */
    public long resyncs(ResyncReason reason) {
        return switch (reason) {
            case OVERSIZE -> resyncsOversize;
            case INTEGRITY -> resyncsIntegrity;
            case DECODE -> resyncsDecode;
            case ABANDONED -> resyncsAbandoned;
        };
    }
}
