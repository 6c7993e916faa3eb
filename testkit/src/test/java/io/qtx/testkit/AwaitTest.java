package io.qtx.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class AwaitTest {

    @Test
    void returnsOnceTheConditionHoldsAfterSeveralLooks() throws Exception {
        AtomicInteger looks = new AtomicInteger();
        Await.until("the third look", () -> looks.incrementAndGet() >= 3);
        assertEquals(3, looks.get());
    }

    @Test
    void returnsTheValueThatWasAccepted() throws Exception {
        AtomicInteger looks = new AtomicInteger();
        assertEquals(4, Await.value("a count of four", looks::incrementAndGet, n -> n == 4));
    }

    @Test
    void seesWhatAnotherThreadDoes() throws Exception {
        AtomicInteger flag = new AtomicInteger();
        Thread setter = Thread.ofPlatform().start(() -> flag.set(1));
        Await.until("the other thread's write", () -> flag.get() == 1);
        setter.join();
    }

    @Test
    void failsNamingWhatWasAwaitedAndTheLastValue() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.value("the answer", Duration.ofMillis(20), () -> 41, n -> n == 42));
        assertTrue(e.getMessage().contains("awaiting the answer"), e.getMessage());
        assertTrue(e.getMessage().contains("last seen: 41"), e.getMessage());
    }

    @Test
    void aConditionThatThrowsFailsAtOnceWithItsCause() {
        IOException broken = new IOException("broken probe");
        AtomicInteger looks = new AtomicInteger();
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until("a probe", () -> {
            looks.incrementAndGet();
            throw broken;
        }));
        assertSame(broken, e.getCause());
        assertEquals(1, looks.get(), "no second look after a throw");
        assertTrue(e.getMessage().contains("a probe"), e.getMessage());
    }
}
