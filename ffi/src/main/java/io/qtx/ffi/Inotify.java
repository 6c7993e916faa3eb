package io.qtx.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.qtx.ffi.generated.Linux;
import io.qtx.ffi.generated.inotify_event;

/**
 * Checked inotify calls and a walker over the variable-length {@code inotify_event} records a
 * read returns, so callers never compute struct offsets themselves.
 */
public final class Inotify {

    public static final int IN_CREATE = Linux.IN_CREATE();
    public static final int IN_DELETE = Linux.IN_DELETE();
    public static final int IN_MOVED_FROM = Linux.IN_MOVED_FROM();
    public static final int IN_MOVED_TO = Linux.IN_MOVED_TO();
    public static final int IN_DELETE_SELF = Linux.IN_DELETE_SELF();
    public static final int IN_ATTRIB = Linux.IN_ATTRIB();

    /** The fixed part of one record; the NUL-padded name of {@code len} bytes follows it. */
    private static final long HEADER = inotify_event.layout().byteSize();
    private static final long LEN_OFFSET = inotify_event.len$offset();
    private static final long MASK_OFFSET = inotify_event.mask$offset();
    private static final long WD_OFFSET = inotify_event.wd$offset();

    private Inotify() {
    }

    /** What one record says. */
    public interface EventHandler {
        /** {@code name} is null for events on the watched directory itself. */
        void onEvent(int watch, int mask, String name);
    }

    /** A non-blocking, close-on-exec inotify instance. */
    public static Fd init() throws NativeException {
        int r = RawSyscalls.inotifyInit1(Linux.IN_NONBLOCK() | Linux.IN_CLOEXEC());
        return new Fd(Syscalls.check("inotify_init1", null, r), "inotify");
    }

    /** Watches {@code path} for {@code mask}; returns the watch descriptor. */
    public static int addWatch(Fd inotify, String path, int mask) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            int r = RawSyscalls.inotifyAddWatch(inotify.checkedValue("inotify_add_watch"), arena.allocateFrom(path), mask);
            return Syscalls.check("inotify_add_watch", path, r);
        }
    }

    /**
     * Hands each complete record in the first {@code length} bytes of {@code buffer} to
     * {@code handler}; returns how many there were. A record cut short (which the kernel never
     * produces) ends the walk.
     */
    public static int forEachEvent(MemorySegment buffer, long length, EventHandler handler) {
        int count = 0;
        long at = 0;
        while (at + HEADER <= length) {
            int nameLength = buffer.get(ValueLayout.JAVA_INT, at + LEN_OFFSET);
            if (nameLength < 0 || at + HEADER + nameLength > length) {
                break;
            }
            String name = nameLength == 0 ? null : buffer.asSlice(at + HEADER, nameLength).getString(0);
            handler.onEvent(buffer.get(ValueLayout.JAVA_INT, at + WD_OFFSET),
                    buffer.get(ValueLayout.JAVA_INT, at + MASK_OFFSET), name);
            at += HEADER + nameLength;
            count++;
        }
        return count;
    }

    /** True when {@code mask} has any bit of {@code bits}; reads better at call sites than a bare and. */
    public static boolean any(int mask, int bits) {
        return (mask & bits) != 0;
    }
}
