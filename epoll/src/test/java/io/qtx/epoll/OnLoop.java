package io.qtx.epoll;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a piece of a test on the loop thread and waits for it. */
final class OnLoop {

    private OnLoop() {
    }

    static <T> T call(EventLoop loop, Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }

    interface Body {
        void run() throws Exception;
    }

    static void run(EventLoop loop, Body body) throws Exception {
        call(loop, () -> {
            body.run();
            return null;
        });
    }
}
