package io.qtx.sim;

/**
 * Told of every {@link Transition} of every channel of a simulator.
 *
 * <p>Called on the simulator's own thread: it must return quickly and must not wait for the
 * simulator (its calls on a {@link SimulatedChannel} run inline there, so they are allowed).
 */
@FunctionalInterface
public interface TransitionListener {

    /** A listener that ignores everything. */
    TransitionListener NONE = (vmId, transition, stats) -> { };

    /**
     * @param vmId       the channel's VM
     * @param transition what happened
     * @param stats      the channel's counters just after it happened
     */
    void onTransition(String vmId, Transition transition, ChannelStats stats);
}
