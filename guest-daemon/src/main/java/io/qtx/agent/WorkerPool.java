package io.qtx.agent;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The bounded pool blocking requests run on (exec, files, ...). It starts with no thread, makes
 * one per request up to {@code threads}, and lets each go after {@code idle} without work: an
 * agent nobody asks anything holds no worker stacks.
 */
final class WorkerPool {

    private WorkerPool() {
    }

    static ThreadPoolExecutor create(int threads, int queue, Duration idle) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, idle.toMillis(), TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queue), r -> Thread.ofPlatform().name("agent-worker").daemon().unstarted(r));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
