package io.qtx.framing;

/** Why a reader gave up a frame it had found and scanned again one byte after its magic. */
public enum ResyncReason {
    /** The length field exceeded the reader's maximum payload. */
    OVERSIZE,
    /** A QTX2 header or payload CRC32C did not match. */
    INTEGRITY,
    /** The frame was complete but its handler said the payload was not a valid message. */
    DECODE,
    /** The frame was still incomplete at {@link FrameReader#reset()} or past the stall bound. */
    ABANDONED
}
