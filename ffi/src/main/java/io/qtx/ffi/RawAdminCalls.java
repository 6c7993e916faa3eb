package io.qtx.ffi;

import static io.qtx.ffi.Downcalls.withErrno;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import io.qtx.ffi.generated.Linux;

/**
 * The raw level for the calls a machine's administrator makes (signals, the wall clock,
 * datagrams to a service manager): one call each, the result or {@code -errno}, EINTR handled
 * by {@link RawCall}'s table. {@link AdminCalls} is the checked level.
 */
public final class RawAdminCalls {

    private static final MethodHandle KILL = withErrno(Linux.kill$address(), Linux.kill$descriptor());
    private static final MethodHandle GETPID = withErrno(Linux.getpid$address(), Linux.getpid$descriptor());
    private static final MethodHandle CLOCK_SETTIME = withErrno(Linux.clock_settime$address(), Linux.clock_settime$descriptor());
    private static final MethodHandle SENDTO = withErrno(Linux.sendto$address(), Linux.sendto$descriptor());

    private RawAdminCalls() {
    }

    public static int kill(int pid, int signal) {
        return (int) RawCall.KILL.invoke(e -> (int) KILL.invokeExact(e, pid, signal));
    }

    public static int getpid() {
        return (int) RawCall.GETPID.invoke(e -> (int) GETPID.invokeExact(e));
    }

    /** {@code time} is a {@code timespec}. */
    public static int clockSettime(int clockId, MemorySegment time) {
        return (int) RawCall.CLOCK_SETTIME.invoke(e -> (int) CLOCK_SETTIME.invokeExact(e, clockId, time));
    }

    public static long sendto(int fd, MemorySegment buffer, long length, int flags, MemorySegment address,
                              int addressLength) {
        return RawCall.SENDTO.invoke(e -> (long) SENDTO.invokeExact(e, fd, buffer, length, flags, address, addressLength));
    }
}
