package io.qtx.session;

import java.util.ArrayDeque;

import io.qtx.proto.ClockTimes;

/**
 * What this side knows of the peer's monotonic clock, from round trips only (envelope.proto,
 * "The clock rule"). Each Hello or Ping we send is a probe, remembered by envelope id with our
 * monotonic send time; the answer carries the peer's monotonic times around it, and yields
 * the interval the offset (peer clock minus ours) lies in:
 * {@code [answer.sent - ourReceived, answer.received - ourSent]}. We keep the lower ends of the
 * last {@link #WINDOW_NANOS} and use the largest: every lower end is at most the true offset,
 * so a deadline converted with it is never later in real time than ours. Two monotonic clocks
 * drift apart (NTP slews CLOCK_MONOTONIC by up to 500 ppm; a guest's clock source may be
 * worse), so a sample's lower end is lowered by {@link #DRIFT_PER_MILLION} of its age before
 * it counts: an old sample can never beat a fresh one by drift alone. The newest sample is
 * kept however old.
 *
 * <p>Loop thread only.
 */
public final class PeerClock {

    /** How long a sample's lower end counts. */
    static final long WINDOW_NANOS = 60_000_000_000L;
    /** The drift between the two clocks allowed for, per million: 0.1 %, twice what NTP may slew. */
    static final long DRIFT_PER_MILLION = 1000;
    /** Probes remembered; older ones are forgotten (their answers then give no sample). */
    private static final int PROBES_KEPT = 16;
    private static final int SAMPLES_KEPT = 32;

    private record Probe(long envelopeId, long sentNanos) {
    }

    private record Sample(long atNanos, long lowOffsetNanos, long rttNanos) {
    }

    private final ArrayDeque<Probe> probes = new ArrayDeque<>();
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private long samplesTaken;

    /** This side's monotonic clock in milliseconds: what our answers carry and our deadlines mean. */
    public static long nowMs() {
        return System.nanoTime() / 1_000_000;
    }

    /** Our monotonic clock in nanoseconds (the same clock as {@link #nowMs()}). */
    static long nowNanos() {
        return System.nanoTime();
    }

    /** Envelope {@code id}, a Hello or a Ping, was queued at {@code sentNanos}. */
    void probeSent(long id, long sentNanos) {
        if (probes.size() == PROBES_KEPT) {
            probes.removeFirst();
        }
        probes.addLast(new Probe(id, sentNanos));
    }

    /**
     * An answer to envelope {@code replyTo} arrived at {@code receivedNanos} carrying the peer's
     * {@code times}; true when it gave a sample (it answers a probe we remember and has times).
     */
    boolean answered(long replyTo, ClockTimes times, long receivedNanos) {
        // The peer is a stranger: times that cannot be monotonic milliseconds give no sample.
        if (times == null || times.getReceivedMs() < 0 || times.getSentMs() <= 0
                || times.getReceivedMs() > times.getSentMs() || times.getSentMs() > Long.MAX_VALUE / 4_000_000L) {
            return false;
        }
        Probe probe = null;
        for (var it = probes.iterator(); it.hasNext();) {
            Probe p = it.next();
            if (p.envelopeId == replyTo) {
                probe = p;
                it.remove();
                break;
            }
        }
        if (probe == null || receivedNanos < probe.sentNanos) {
            return false;
        }
        long peerHeldNanos = (times.getSentMs() - times.getReceivedMs()) * 1_000_000L;
        long rtt = Math.max(0, receivedNanos - probe.sentNanos - peerHeldNanos);
        long low = times.getSentMs() * 1_000_000L - receivedNanos;
        if (samples.size() == SAMPLES_KEPT) {
            samples.removeFirst();
        }
        samples.addLast(new Sample(receivedNanos, low, rtt));
        samplesTaken++;
        return true;
    }

    /** Forgets everything: a new handshake, a new peer, or none. */
    void reset() {
        probes.clear();
        samples.clear();
    }

    public boolean hasSample() {
        return !samples.isEmpty();
    }

    /** Samples taken since this side started (not reset by a new handshake), for figures. */
    public long samplesTaken() {
        return samplesTaken;
    }

    /** Round trip of the newest sample in nanoseconds, -1 without one. */
    public long lastRttNanos() {
        return samples.isEmpty() ? -1 : samples.peekLast().rttNanos;
    }

    /** Our monotonic time of the newest sample, or {@link Long#MIN_VALUE} without one. */
    public long lastSampleNanos() {
        return samples.isEmpty() ? Long.MIN_VALUE : samples.peekLast().atNanos;
    }

    /**
     * The peer's monotonic time, in ms, that is certainly no later than our {@code localNanos}:
     * the conversion every deadline takes.
     *
     * @throws IllegalStateException without a sample: nothing may be sent with a deadline yet
     */
    public long toPeerMs(long localNanos, long nowNanos) {
        if (samples.isEmpty()) {
            throw new IllegalStateException("no round-trip clock sample yet");
        }
        while (samples.size() > 1 && nowNanos - samples.peekFirst().atNanos > WINDOW_NANOS) {
            samples.removeFirst();
        }
        long low = Long.MIN_VALUE;
        for (Sample s : samples) {
            long age = Math.max(0, nowNanos - s.atNanos);
            low = Math.max(low, s.lowOffsetNanos - age / 1_000_000 * DRIFT_PER_MILLION);
        }
        return Math.floorDiv(localNanos + low, 1_000_000L);
    }
}
