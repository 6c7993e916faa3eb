package io.qtx.session;

/**
 * A rate limit that may go into debt: {@link #take} always succeeds (what was read has been
 * read), and the owner stops taking more until {@link #nanosUntilClear} has passed. Refills at
 * {@code perSecond} up to {@code burst}. Loop thread only.
 */
final class TokenBucket {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long lastNanos;

    TokenBucket(double perSecond, double burst, long nowNanos) {
        if (!(perSecond > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("perSecond=" + perSecond + " burst=" + burst);
        }
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = nowNanos;
    }

    /** Takes {@code n} tokens; the balance may go negative. */
    void take(long n, long nowNanos) {
        refill(nowNanos);
        tokens -= n;
    }

    /** Whole tokens available now (0 when in debt). */
    long available(long nowNanos) {
        refill(nowNanos);
        return tokens <= 0 ? 0 : (long) tokens;
    }

    /** True while the balance is negative: the owner is over its rate. */
    boolean inDebt(long nowNanos) {
        refill(nowNanos);
        return tokens < 0;
    }

    /** How long until the balance is back to zero; 0 when it is not negative. */
    long nanosUntilClear(long nowNanos) {
        return nanosUntil(0, nowNanos);
    }

    /** How long until the balance reaches {@code level}; 0 when it has. */
    long nanosUntil(double level, long nowNanos) {
        refill(nowNanos);
        return tokens >= level ? 0 : (long) Math.ceil((level - tokens) / perNano);
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perNano);
            lastNanos = nowNanos;
        }
    }
}
