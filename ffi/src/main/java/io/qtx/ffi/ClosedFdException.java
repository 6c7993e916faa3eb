package io.qtx.ffi;

/**
 * A call on a descriptor that is already closed: either our own {@link Fd} after
 * {@link Fd#close()}, or the kernel's {@code EBADF}. Kept apart so callers can treat it as
 * "this channel is gone" rather than as a fault.
 */
public final class ClosedFdException extends NativeException {

    public ClosedFdException(String call, String argument) {
        super(call, argument, Errno.EBADF);
    }
}
