package io.qtx.ffi;

import static io.qtx.ffi.Downcalls.withErrno;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Extended attributes of a path, never following a last symbolic link (llistxattr(2),
 * lgetxattr(2), lsetxattr(2)): every namespace, so POSIX ACLs ({@code system.posix_acl_*}),
 * the SELinux label ({@code security.selinux}) and file capabilities come along, which the
 * JDK's user-attribute view cannot reach. Hand-written downcalls (jextract is not installed
 * where these were added); the layouts come from the linker's own {@code size_t}, {@code long}
 * and {@code int}, never typed in. Raw calls return {@code -errno}; the public methods throw
 * a {@link NativeException} naming the call, the path and the attribute; EINTR
 * follows {@link RawCall}'s table like every other call.
 */
public final class Xattrs {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout SIZE_T = LINKER.canonicalLayouts().get("size_t");
    private static final MemoryLayout SSIZE_T = LINKER.canonicalLayouts().get("long");
    private static final MemoryLayout INT = LINKER.canonicalLayouts().get("int");

    private static final MethodHandle LLISTXATTR = handle("llistxattr",
            FunctionDescriptor.of(SSIZE_T, ValueLayout.ADDRESS, ValueLayout.ADDRESS, SIZE_T));
    private static final MethodHandle LGETXATTR = handle("lgetxattr",
            FunctionDescriptor.of(SSIZE_T, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, SIZE_T));
    private static final MethodHandle LSETXATTR = handle("lsetxattr",
            FunctionDescriptor.of(INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, SIZE_T, INT));

    /** Attempts at a size-then-read pair: an attribute that grows in between makes the read fail. */
    private static final int ATTEMPTS = 3;

    private Xattrs() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        MemorySegment address = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError(name + " is not in the C library"));
        return withErrno(address, descriptor);
    }

    static long llistxattr(MemorySegment path, MemorySegment list, long size) {
        return RawCall.LLISTXATTR.invoke(e -> (long) LLISTXATTR.invokeExact(e, path, list, size));
    }

    static long lgetxattr(MemorySegment path, MemorySegment name, MemorySegment value, long size) {
        return RawCall.LGETXATTR.invoke(e -> (long) LGETXATTR.invokeExact(e, path, name, value, size));
    }

    static int lsetxattr(MemorySegment path, MemorySegment name, MemorySegment value, long size, int flags) {
        return (int) RawCall.LSETXATTR.invoke(e -> (int) LSETXATTR.invokeExact(e, path, name, value, size, flags));
    }

    /** The names of every extended attribute of {@code path} the caller may see. */
    public static List<String> list(String path) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            long r = 0;
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                long size = check("llistxattr", path, llistxattr(p, MemorySegment.NULL, 0));
                if (size == 0) {
                    return List.of();
                }
                MemorySegment buf = arena.allocate(size);
                r = llistxattr(p, buf, size);
                if (r >= 0) {
                    return names(buf.asSlice(0, r));
                }
            }
            check("llistxattr", path, r);
            return List.of();
        }
    }

    /** The value of attribute {@code name} of {@code path}. */
    public static byte[] get(String path, String name) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            MemorySegment n = arena.allocateFrom(name);
            long r = 0;
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                long size = check("lgetxattr", path + " " + name, lgetxattr(p, n, MemorySegment.NULL, 0));
                MemorySegment buf = arena.allocate(Math.max(1, size));
                r = lgetxattr(p, n, buf, size);
                if (r >= 0) {
                    return buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE);
                }
            }
            check("lgetxattr", path + " " + name, r);
            return new byte[0];
        }
    }

    /** Sets attribute {@code name} of {@code path} to {@code value}, creating or replacing it. */
    public static void set(String path, String name, byte[] value) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            check("lsetxattr", path + " " + name,
                    lsetxattr(arena.allocateFrom(path), arena.allocateFrom(name), v, value.length, 0));
        }
    }

    private static long check(String call, String argument, long r) throws NativeException {
        if (r < 0) {
            throw Syscalls.failure(call, argument, (int) -r);
        }
        return r;
    }

    /** The kernel's list: names, each ended by a NUL. */
    private static List<String> names(MemorySegment list) {
        byte[] bytes = list.toArray(ValueLayout.JAVA_BYTE);
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                if (i > start) {
                    out.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return out;
    }
}
