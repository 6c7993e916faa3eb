package io.qtx.ffi;

import static io.qtx.ffi.Downcalls.unexpected;
import static io.qtx.ffi.Downcalls.withErrno;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import io.qtx.ffi.generated.Linux;

/**
 * The raw level for the calls a machine's administrator makes (signals, the wall clock,
 * datagrams to a service manager): one call each, the result or {@code -errno}. EINTR is
 * retried here for the calls that can report it. {@link AdminCalls} is the checked level.
 */
public final class RawAdminCalls {

    private static final int EINTR = Linux.EINTR();

    private static final MethodHandle KILL = withErrno(Linux.kill$address(), Linux.kill$descriptor());
    private static final MethodHandle GETPID = withErrno(Linux.getpid$address(), Linux.getpid$descriptor());
    private static final MethodHandle CLOCK_SETTIME = withErrno(Linux.clock_settime$address(), Linux.clock_settime$descriptor());
    private static final MethodHandle SENDTO = withErrno(Linux.sendto$address(), Linux.sendto$descriptor());

    private RawAdminCalls() {
    }

    private static long result(long r, MemorySegment errnoCell) {
        return r != -1 ? r : -ErrnoCell.errno(errnoCell);
    }

    public static int kill(int pid, int signal) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) KILL.invokeExact(e, pid, signal), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int getpid() {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) GETPID.invokeExact(e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code time} is a {@code timespec}. */
    public static int clockSettime(int clockId, MemorySegment time) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) CLOCK_SETTIME.invokeExact(e, clockId, time), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long sendto(int fd, MemorySegment buffer, long length, int flags, MemorySegment address,
                              int addressLength) {
        MemorySegment e = ErrnoCell.get();
        try {
            long r;
            do {
                r = result((long) SENDTO.invokeExact(e, fd, buffer, length, flags, address, addressLength), e);
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
