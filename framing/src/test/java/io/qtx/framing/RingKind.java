package io.qtx.framing;

/** The ring implementations every reader and writer test runs against (protocol's tests too, through the test-jar). */
public enum RingKind {
    COMPACTING {
        @Override
        ByteRing make(int capacity) {
            return new CompactingRing(capacity);
        }
    },
    MIRRORED {
        @Override
        ByteRing make(int capacity) {
            ByteRing ring = MirroredRing.tryAllocate(capacity);
            if (ring == null) {
                // Linux CI has memfd and mmap: a missing mirror is a failure here, not a skip.
                throw new AssertionError("no mirrored ring of " + capacity + " bytes on this machine");
            }
            return ring;
        }
    };

    abstract ByteRing make(int capacity);

    public FrameReader reader(int maxPayload) {
        return new FrameReader(make(FrameReader.ringCapacity(maxPayload)), maxPayload, FrameReader.DEFAULT_STALL_NANOS);
    }
}
