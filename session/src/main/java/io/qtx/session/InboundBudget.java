package io.qtx.session;

import io.qtx.protocol.WireLimits;

/**
 * What a {@link FramedChannel} lets its peer cost: checked before a payload is parsed
 * ({@code limits}), per wake-up of the loop (so one busy peer cannot keep the loop from the
 * others), and per second (token buckets: over the rate the channel stops reading for a while;
 * the kernel's socket buffer and then the peer's writes wait, so nothing is lost). The session
 * applies {@code pingsPerSecond}: pings beyond it are not answered.
 *
 * @param limits bounds on a payload's structure, or null for none
 * @param bytesPerWake bytes read in one turn of the loop before the channel yields to the others
 * @param framesPerWake frames decoded in one turn before it yields
 * @param bytesPerSecond sustained inbound bytes
 * @param framesPerSecond sustained inbound frames
 * @param pingsPerSecond sustained pings answered
 * @param burstSeconds how many seconds' worth of each rate may come at once
 */
public record InboundBudget(WireLimits limits, int bytesPerWake, int framesPerWake, double bytesPerSecond,
                            double framesPerSecond, double pingsPerSecond, double burstSeconds) {

    /** No bound beyond the frame size: what a channel has unless told otherwise. */
    public static final InboundBudget UNLIMITED = new InboundBudget(null, Integer.MAX_VALUE, Integer.MAX_VALUE,
            Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 1);

    public InboundBudget {
        if (bytesPerWake <= 0 || framesPerWake <= 0 || !(bytesPerSecond > 0) || !(framesPerSecond > 0)
                || !(pingsPerSecond > 0) || !(burstSeconds > 0)) {
            throw new IllegalArgumentException(this.getClass().getSimpleName() + ": every bound must be positive");
        }
    }

    /** A bucket for {@code perSecond}, or null when unlimited. */
    static TokenBucket bucket(double perSecond, double burstSeconds, long nowNanos) {
        return Double.isInfinite(perSecond) ? null
                : new TokenBucket(perSecond, Math.max(1, perSecond * burstSeconds), nowNanos);
    }
}
