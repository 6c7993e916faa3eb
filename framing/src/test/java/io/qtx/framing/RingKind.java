package io.qtx.framing;

/** The ring implementations every reader and writer test runs against. */
enum RingKind {
    COMPACTING {
        @Override
        ByteRing make(int capacity) {
            return new CompactingRing(capacity);
        }
    };

    abstract ByteRing make(int capacity);

    FrameReader reader(int maxPayload) {
        return new FrameReader(make(FrameReader.ringCapacity(maxPayload)), maxPayload, FrameReader.DEFAULT_STALL_NANOS);
    }
}
