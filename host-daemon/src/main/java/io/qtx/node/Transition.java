package io.qtx.node;

/** One logged state change of a VM. */
public record Transition(VmState state, String message, long unixMs) {
}
