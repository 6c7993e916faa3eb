package io.qtx.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Builds downcall handles that capture errno, from the address and descriptor jextract
 * generated, so no signature is typed in twice.
 */
final class Downcalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private Downcalls() {
    }

    static MethodHandle withErrno(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO);
    }

    /**
     * For calls that never block (read and write on non-blocking descriptors): the JVM skips
     * the thread-state transition around them. Never for a call that can wait, like epoll_wait,
     * which would hold up every safepoint for as long as it waits.
     */
    static MethodHandle nonBlockingWithErrno(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor, Linker.Option.critical(false), CAPTURE_ERRNO);
    }

    /** A variadic call fixed to the extra arguments this project passes (e.g. open's mode). */
    static MethodHandle withErrnoVariadic(MemorySegment address, FunctionDescriptor fixed,
                                          MemoryLayout... variadic) {
        return LINKER.downcallHandle(address, fixed.appendArgumentLayouts(variadic),
                Linker.Option.firstVariadicArg(fixed.argumentLayouts().size()), CAPTURE_ERRNO);
    }

    static AssertionError unexpected(Throwable t) {
        return new AssertionError("downcall failed outside the native code", t);
    }
}
