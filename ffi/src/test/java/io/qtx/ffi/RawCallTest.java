package io.qtx.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.qtx.ffi.RawCall.Eintr;

/**
 * The EINTR/EAGAIN policy, per call, through the one invoke helper, with fake downcalls that
 * fail the way the kernel does (-1 and errno in the captured cell).
 */
class RawCallTest {

    private static final VarHandle ERRNO = ErrnoCell.LAYOUT.varHandle(PathElement.groupElement("errno"));

    /** The exceptions to "retry", as ffi/README.md states them; every other call retries. */
    private static final Map<RawCall, Eintr> NOT_RETRIED = Map.of(
            RawCall.CLOSE, Eintr.RELEASED,
            RawCall.EPOLL_WAIT, Eintr.NO_EVENTS,
            RawCall.CONNECT, Eintr.IN_PROGRESS);

    /** Fails with {@code errno} the first {@code failures} times, then returns 7. */
    private static final class Fake implements RawCall.Downcall {
        private final int errno;
        private int failures;
        int calls;

        Fake(int errno, int failures) {
            this.errno = errno;
            this.failures = failures;
        }

        @Override
        public long call(MemorySegment errnoCell) {
            calls++;
            if (failures-- > 0) {
                ERRNO.set(errnoCell, 0L, errno);
                return -1;
            }
            return 7;
        }
    }

    @ParameterizedTest
    @EnumSource(RawCall.class)
    void theTableSaysWhatEachCallDoesOnEintr(RawCall call) {
        assertEquals(NOT_RETRIED.getOrDefault(call, Eintr.RETRY), call.onEintr, call.name());
    }

    @ParameterizedTest
    @EnumSource(RawCall.class)
    void eintrIsRetriedOrMeansWhatTheTableSays(RawCall call) {
        Fake fake = new Fake(Errno.EINTR, 3);
        long r = call.invoke(fake);
        switch (call.onEintr) {
            case RETRY -> {
                assertEquals(7, r, call.name());
                assertEquals(4, fake.calls, call.name() + " made again after each EINTR");
            }
            case NO_EVENTS, RELEASED -> {
                assertEquals(0, r, call.name());
                assertEquals(1, fake.calls, call.name() + " never made again");
            }
            case IN_PROGRESS -> {
                assertEquals(-Errno.EINPROGRESS, r, call.name());
                assertEquals(1, fake.calls, call.name() + " never made again");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(RawCall.class)
    void eagainAndEveryOtherErrnoComeBackNegatedAtOnce(RawCall call) {
        for (int errno : new int[] {Errno.EAGAIN, Errno.EBADF, Errno.ECONNREFUSED}) {
            Fake fake = new Fake(errno, 1);
            assertEquals(-errno, call.invoke(fake), call.name() + " " + Errno.name(errno));
            assertEquals(1, fake.calls);
        }
    }

    @Test
    void aResultIsPassedOnAsItIs() {
        assertEquals(0, RawCall.READ.invoke(cell -> 0));
        assertEquals(Long.MAX_VALUE, RawCall.MMAP.invoke(cell -> Long.MAX_VALUE));
        assertEquals(-2, RawCall.READ.invoke(cell -> -2), "only -1 means failure");
    }

    @Test
    void aBrokenHandleIsAnErrorNotAnErrno() {
        AssertionError e = assertThrows(AssertionError.class, () -> RawCall.OPEN.invoke(cell -> {
            throw new ClassCastException("wrong handle type");
        }));
        assertEquals(ClassCastException.class, e.getCause().getClass());
    }

    @Test
    void closeOfAnUnknownDescriptorIsStillReported() {
        // The real call through the table: EBADF is not EINTR, so close reports it.
        assertEquals(-Errno.EBADF, RawSyscalls.close(-1));
    }
}
