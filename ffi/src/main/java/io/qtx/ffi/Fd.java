package io.qtx.ffi;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An open file descriptor: the int plus a small state, with an idempotent {@link #close()}.
 *
 * <p>Reads and writes go straight between the descriptor and caller-supplied native memory.
 * Short counts are normal; {@link Syscalls#WOULD_BLOCK} stands for EAGAIN, which is never an
 * exception. Any other failure is a {@link NativeException} naming the call and
 * {@link #description()}, and EBADF (or use after close) a {@link ClosedFdException}.
 *
 * <p>Every descriptor the ffi layer makes is non-blocking, and {@link #read}/{@link #write}
 * are linked as calls that never wait (no thread-state transition around them): wrap only a
 * non-blocking descriptor in an {@code Fd} that will be read or written.
 */
public final class Fd implements AutoCloseable {

    private static final int OPEN = 0;
    private static final int INPUT_SHUT = 1;
    private static final int OUTPUT_SHUT = 2;
    private static final int CLOSED = 4;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Fd.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int value;
    private final String description;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = OPEN;

    /** Takes ownership of {@code value}; {@code description} names it in errors, e.g. a path. */
    public Fd(int value, String description) {
        if (value < 0) {
            throw new IllegalArgumentException("fd=" + value);
        }
        this.value = value;
        this.description = description;
    }

    /** The descriptor number; valid only while {@link #isOpen()}. */
    public int intValue() {
        return value;
    }

    /** What this descriptor is, for messages: {@code "fd 7 (unix:/run/x.sock)"}. */
    public String description() {
        return "fd " + value + " (" + description + ")";
    }

    public boolean isOpen() {
        return (state & CLOSED) == 0;
    }

    public boolean isInputShutdown() {
        return (state & (INPUT_SHUT | CLOSED)) != 0;
    }

    public boolean isOutputShutdown() {
        return (state & (OUTPUT_SHUT | CLOSED)) != 0;
    }

    /** Reads into {@code dst}: bytes read, 0 at end of input, or {@link Syscalls#WOULD_BLOCK}. */
    public long read(MemorySegment dst) throws NativeException {
        long r = RawSyscalls.read(checkedValue("read"), dst, dst.byteSize());
        return r >= 0 ? r : Syscalls.ioFailure("read", this, r);
    }

    /** Writes from {@code src}: bytes written (maybe fewer), or {@link Syscalls#WOULD_BLOCK}. */
    public long write(MemorySegment src) throws NativeException {
        long r = RawSyscalls.write(checkedValue("write"), src, src.byteSize());
        return r >= 0 ? r : Syscalls.ioFailure("write", this, r);
    }

    /** Shuts a socket's input or output down ({@code SHUT_RD}/{@code SHUT_WR}); a no-op when already done. */
    public void shutdown(boolean input, boolean output) throws NativeException {
        int bits = (input ? INPUT_SHUT : 0) | (output ? OUTPUT_SHUT : 0);
        int old;
        do {
            old = state;
            if ((old & CLOSED) != 0 || (old & bits) == bits) {
                return;
            }
        } while (!STATE.compareAndSet(this, old, old | bits));
        int how = input && output ? Sockets.SHUT_RDWR : input ? Sockets.SHUT_RD : Sockets.SHUT_WR;
        int r = RawSockets.shutdown(value, how);
        if (r < 0 && -r != Errno.ENOTCONN) {
            throw new NativeException("shutdown", description(), -r);
        }
    }

    /** The descriptor number, or a {@link ClosedFdException} naming {@code call} if closed. */
    public int checkedValue(String call) throws ClosedFdException {
        if ((state & CLOSED) != 0) {
            throw new ClosedFdException(call, description());
        }
        return value;
    }

    /** Closes the descriptor once; later calls do nothing. */
    @Override
    public void close() {
        int old;
        do {
            old = state;
            if ((old & CLOSED) != 0) {
                return;
            }
        } while (!STATE.compareAndSet(this, old, old | CLOSED));
        // Only EBADF can be reported here, and it would mean a bug that closed the int elsewhere.
        int r = RawSyscalls.close(value);
        if (r < 0 && -r == Errno.EBADF) {
            throw new IllegalStateException("close(" + description() + "): " + Errno.describe(-r));
        }
    }

    @Override
    public String toString() {
        return description() + (isOpen() ? "" : " closed");
    }
}
