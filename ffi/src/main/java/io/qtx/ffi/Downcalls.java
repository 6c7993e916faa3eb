package io.qtx.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.util.function.Supplier;

/**
 * Builds downcall handles that capture errno, from the address and descriptor jextract
 * generated, so no signature is typed in twice.
 *
 * <p>Every handle is linked on its first call, not when its class is initialised: linking
 * spins a stub class and native code per signature (5–60 ms each on a loaded two-core
 * machine, none of it kept by an AOT cache), and a daemon's start needs under half of the calls
 * the raw classes hold. The handle is a {@link MutableCallSite}'s invoker, so once linked
 * the JIT sees the real target as a constant.
 */
final class Downcalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final MethodHandle LINK_AND_CALL;

    static {
        try {
            LINK_AND_CALL = MethodHandles.lookup().findStatic(Downcalls.class, "linkAndCall",
                    MethodType.methodType(Object.class, LazyLink.class, Object[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Downcalls() {
    }

    static MethodHandle withErrno(MemorySegment address, FunctionDescriptor descriptor) {
        return lazily(withCapturedErrno(descriptor), () -> LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO));
    }

    /**
     * For calls that never block (read and write on non-blocking descriptors): the JVM skips
     * the thread-state transition around them. Never for a call that can wait, like epoll_wait,
     * which would hold up every safepoint for as long as it waits.
     */
    static MethodHandle nonBlockingWithErrno(MemorySegment address, FunctionDescriptor descriptor) {
        return lazily(withCapturedErrno(descriptor),
                () -> LINKER.downcallHandle(address, descriptor, Linker.Option.critical(false), CAPTURE_ERRNO));
    }

    /** A variadic call fixed to the extra arguments this project passes (e.g. open's mode). */
    static MethodHandle withErrnoVariadic(MemorySegment address, FunctionDescriptor fixed,
                                          MemoryLayout... variadic) {
        FunctionDescriptor full = fixed.appendArgumentLayouts(variadic);
        return lazily(withCapturedErrno(full), () -> LINKER.downcallHandle(address, full,
                Linker.Option.firstVariadicArg(fixed.argumentLayouts().size()), CAPTURE_ERRNO));
    }

    /**
     * A handle of {@code type} that calls {@code link}'s handle, linking it on the first call
     * (once, whichever threads race to it).
     */
    static MethodHandle lazily(MethodType type, Supplier<MethodHandle> link) {
        MutableCallSite site = new MutableCallSite(type);
        LazyLink lazy = new LazyLink(site, link);
        site.setTarget(LINK_AND_CALL.bindTo(lazy).asCollector(Object[].class, type.parameterCount()).asType(type));
        return site.dynamicInvoker();
    }

    /** The type {@link Linker#downcallHandle} gives a handle with {@code captureCallState}: the state segment first. */
    private static MethodType withCapturedErrno(FunctionDescriptor descriptor) {
        return descriptor.toMethodType().insertParameterTypes(0, MemorySegment.class);
    }

    private static Object linkAndCall(LazyLink lazy, Object[] arguments) throws Throwable {
        return lazy.linked().invokeWithArguments(arguments);
    }

    /** A call site and how to link its real target. */
    private static final class LazyLink {
        private final MutableCallSite site;
        private final Supplier<MethodHandle> link;
        private MethodHandle linked;

        LazyLink(MutableCallSite site, Supplier<MethodHandle> link) {
            this.site = site;
            this.link = link;
        }

        synchronized MethodHandle linked() {
            if (linked == null) {
                linked = link.get();
                site.setTarget(linked);
                MutableCallSite.syncAll(new MutableCallSite[] {site});
            }
            return linked;
        }
    }

    static AssertionError unexpected(Throwable t) {
        return new AssertionError("downcall failed outside the native code", t);
    }
}
