package io.qtx.node;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Fans node events out to subscribers. Publishing happens on the loop thread, so a subscriber
 * must not block: the SSE endpoint, for one, puts events on its own bounded queue and drops
 * when a slow client falls behind. A subscriber that throws is removed.
 */
public final class EventHub {

    private static final System.Logger LOG = System.getLogger(EventHub.class.getName());
    private final CopyOnWriteArrayList<Consumer<NodeEvent>> subscribers = new CopyOnWriteArrayList<>();

    /** Subscribes; closing the result unsubscribes. From any thread. */
    public AutoCloseable subscribe(Consumer<NodeEvent> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    void publish(NodeEvent event) {
        for (Consumer<NodeEvent> s : subscribers) {
            try {
                s.accept(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "event subscriber failed; removing it", e);
                subscribers.remove(s);
            }
        }
    }

    public int subscriberCount() {
        return subscribers.size();
    }
}
