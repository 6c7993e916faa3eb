package io.qtx.node;

import static io.qtx.node.VmState.CONNECTING;
import static io.qtx.node.VmState.DISCONNECTED;
import static io.qtx.node.VmState.DISCOVERED;
import static io.qtx.node.VmState.HANDSHAKING;
import static io.qtx.node.VmState.MISBEHAVING;
import static io.qtx.node.VmState.NOT_SERVED;
import static io.qtx.node.VmState.READY;
import static io.qtx.node.VmState.RECONNECTING;
import static io.qtx.node.VmState.REMOVED;
import static io.qtx.node.VmState.UNRESPONSIVE;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The state machine of one VM's connection, as one table: for every {@link VmState} and
 * {@link VmEvent}, the state it leads to, {@link Outcome#keep() keep} (the event changes
 * nothing about the state), or {@link Outcome#illegal() illegal} (it cannot happen there; the
 * connection's guards keep it out, and if it ever came it is logged and changes nothing).
 * {@link VmConnection} does the work of each event; this alone says where it leads.
 */
final class VmTransitions {

    /** One cell of the table. */
    record Outcome(VmState target, boolean legal) {
        static Outcome to(VmState target) {
            return new Outcome(target, true);
        }

        static Outcome keep() {
            return new Outcome(null, true);
        }

        static Outcome illegal() {
            return new Outcome(null, false);
        }
    }

    private static final Set<VmState> CONNECTED_STATES = EnumSet.of(HANDSHAKING, NOT_SERVED, READY, UNRESPONSIVE);
    private static final Map<VmState, Map<VmEvent, Outcome>> TABLE = build();

    private VmTransitions() {
    }

    private static Map<VmState, Map<VmEvent, Outcome>> build() {
        Map<VmState, Map<VmEvent, Outcome>> t = new EnumMap<>(VmState.class);
        for (VmState s : VmState.values()) {
            Map<VmEvent, Outcome> row = new EnumMap<>(VmEvent.class);
            for (VmEvent e : VmEvent.values()) {
                row.put(e, Outcome.illegal());
            }
            t.put(s, row);
        }
        // A connect needs no connection and no connect in flight (VmConnection.connect's guard).
        to(t, VmEvent.CONNECT, EnumSet.of(DISCOVERED, DISCONNECTED, RECONNECTING, MISBEHAVING), CONNECTING);
        // MISBEHAVING: a quarantine while a connect was in flight; the connect still ends.
        to(t, VmEvent.CONNECTED, EnumSet.of(CONNECTING, MISBEHAVING), HANDSHAKING);
        to(t, VmEvent.CONNECT_FAILED, EnumSet.of(CONNECTING, MISBEHAVING), DISCONNECTED);
        // Ready needs a pong, not just a handshake; an unresponsive VM stays so until one comes.
        to(t, VmEvent.HANDSHAKE_DONE, EnumSet.of(HANDSHAKING, NOT_SERVED, READY), HANDSHAKING);
        keep(t, VmEvent.HANDSHAKE_DONE, EnumSet.of(UNRESPONSIVE));
        to(t, VmEvent.PONG, EnumSet.of(HANDSHAKING, NOT_SERVED, UNRESPONSIVE), READY);
        keep(t, VmEvent.PONG, EnumSet.of(READY));
        to(t, VmEvent.NOT_READY, EnumSet.of(READY), HANDSHAKING);
        keep(t, VmEvent.NOT_READY, EnumSet.of(HANDSHAKING, NOT_SERVED, UNRESPONSIVE));
        to(t, VmEvent.NOT_SERVED, EnumSet.of(HANDSHAKING, NOT_SERVED), NOT_SERVED);
        to(t, VmEvent.SERVED_BUT_UNANSWERED, EnumSet.of(HANDSHAKING, NOT_SERVED), HANDSHAKING);
        to(t, VmEvent.UNRESPONSIVE, CONNECTED_STATES, UNRESPONSIVE);
        to(t, VmEvent.CLOSED, CONNECTED_STATES, DISCONNECTED);
        to(t, VmEvent.RETRY_SCHEDULED, EnumSet.of(DISCONNECTED), RECONNECTING);
        // The conduct is judged on every heartbeat, connected or not, until the VM is removed.
        to(t, VmEvent.QUARANTINED, EnumSet.complementOf(EnumSet.of(REMOVED)), MISBEHAVING);
        to(t, VmEvent.REMOVED, EnumSet.allOf(VmState.class), REMOVED);
        return t;
    }

    private static void to(Map<VmState, Map<VmEvent, Outcome>> t, VmEvent e, Set<VmState> from, VmState target) {
        for (VmState s : from) {
            t.get(s).put(e, Outcome.to(target));
        }
    }

    private static void keep(Map<VmState, Map<VmEvent, Outcome>> t, VmEvent e, Set<VmState> from) {
        for (VmState s : from) {
            t.get(s).put(e, Outcome.keep());
        }
    }

    /** Where {@code event} leads from {@code state}. */
    static Outcome next(VmState state, VmEvent event) {
        return TABLE.get(state).get(event);
    }
}
