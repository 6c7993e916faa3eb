package io.qtx.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void startsWithNoThreadAndLetsIdleWorkersGo() throws Exception {
        ThreadPoolExecutor pool = WorkerPool.create(4, 8, Duration.ofMillis(50));
        try {
            assertEquals(0, pool.getPoolSize(), "no worker before the first request");
            pool.submit(() -> { }).get(30, TimeUnit.SECONDS);
            assertEquals(1, pool.getLargestPoolSize(), "one request, one worker");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pool.getPoolSize() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling the pool's own count: there is no event to wait on
            }
            assertEquals(0, pool.getPoolSize(), "the idle worker went away");
            pool.submit(() -> { }).get(30, TimeUnit.SECONDS);
            assertTrue(pool.getPoolSize() <= 1, "a worker comes back for the next request");
        } finally {
            pool.shutdownNow();
        }
    }
}
