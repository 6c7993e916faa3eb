package io.qtx.node;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Where one VM stands and how it got there: the current state, its message and since when, the
 * last {@value #KEPT} changes; every change logged and published. Loop thread only.
 */
final class VmStateLog {

    private static final System.Logger LOG = System.getLogger(VmConnection.class.getName());
    private static final int KEPT = 32;

    private final VmId id;
    private final EventHub events;
    private final ArrayDeque<Transition> kept = new ArrayDeque<>();
    private VmState state;
    private String message;
    private long sinceUnixMs;

    VmStateLog(VmId id, EventHub events) {
        this.id = id;
        this.events = events;
    }

    VmState state() {
        return state;
    }

    String message() {
        return message;
    }

    long sinceUnixMs() {
        return sinceUnixMs;
    }

    List<Transition> recent() {
        return List.copyOf(kept);
    }

    /** Enters {@code next} for {@code why}; the same state with the same message is no change. */
    void enter(VmState next, String why, System.Logger.Level level) {
        if (next == state && why.equals(message)) {
            return;
        }
        VmState previous = state;
        state = next;
        message = why;
        sinceUnixMs = System.currentTimeMillis();
        if (kept.size() == KEPT) {
            kept.removeFirst();
        }
        kept.addLast(new Transition(next, why, sinceUnixMs));
        // Messages quote guest text (already escaped where it is put in); escaping the whole line
        // again keeps any later message that forgets from ending the line or forging the next.
        LOG.log(level, "{0}: {1} -> {2}: {3}", id, previous == null ? "-" : previous.json(), next.json(),
                GuestText.safe(why, 1024));
        events.publish(NodeEvent.state(id.value(), next, why, sinceUnixMs));
    }
}
