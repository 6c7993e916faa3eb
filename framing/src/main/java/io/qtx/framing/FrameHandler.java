package io.qtx.framing;

/** Receives the frames a {@link FrameReader} finds. */
@FunctionalInterface
public interface FrameHandler {

    /**
     * Takes one frame. The frame and its payload memory are only valid during this call.
     *
     * @return false when the payload is not a valid message (it did not parse): the reader then
     *     counts a {@link ResyncReason#DECODE} resync and scans again one byte after this frame's
     *     magic, since a frame that does not parse may have been found at a false boundary
     */
    boolean onFrame(Frame frame);
}
