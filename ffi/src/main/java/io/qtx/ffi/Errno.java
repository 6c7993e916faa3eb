package io.qtx.ffi;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

import io.qtx.ffi.generated.Linux;

/**
 * The errno policy: names and texts of the errors the daemons meet, taken from the C headers
 * (through the generated bindings) and from {@code strerror} once, at class load, so a hot
 * failure path formats no native string.
 */
public final class Errno {

    public static final int EPERM = Linux.EPERM();
    public static final int ENOENT = Linux.ENOENT();
    public static final int ESRCH = Linux.ESRCH();
    public static final int EINTR = Linux.EINTR();
    public static final int EIO = Linux.EIO();
    public static final int ENXIO = Linux.ENXIO();
    public static final int EBADF = Linux.EBADF();
    public static final int EAGAIN = Linux.EAGAIN();
    public static final int ENOMEM = Linux.ENOMEM();
    public static final int EACCES = Linux.EACCES();
    public static final int EBUSY = Linux.EBUSY();
    public static final int EEXIST = Linux.EEXIST();
    public static final int ENODEV = Linux.ENODEV();
    public static final int ENOTDIR = Linux.ENOTDIR();
    public static final int EISDIR = Linux.EISDIR();
    public static final int EINVAL = Linux.EINVAL();
    public static final int ENFILE = Linux.ENFILE();
    public static final int EMFILE = Linux.EMFILE();
    public static final int ENOSPC = Linux.ENOSPC();
    public static final int EPIPE = Linux.EPIPE();
    public static final int ENAMETOOLONG = Linux.ENAMETOOLONG();
    public static final int ELOOP = Linux.ELOOP();
    public static final int ENOTSOCK = Linux.ENOTSOCK();
    public static final int EADDRINUSE = Linux.EADDRINUSE();
    public static final int ECONNRESET = Linux.ECONNRESET();
    public static final int ENOTCONN = Linux.ENOTCONN();
    public static final int ETIMEDOUT = Linux.ETIMEDOUT();
    public static final int ECONNREFUSED = Linux.ECONNREFUSED();
    public static final int EALREADY = Linux.EALREADY();
    public static final int EINPROGRESS = Linux.EINPROGRESS();

    private static final Map<Integer, String> NAMES = new HashMap<>();
    private static final Map<Integer, String> DESCRIPTIONS = new HashMap<>();

    static {
        name(EPERM, "EPERM");
        name(ENOENT, "ENOENT");
        name(ESRCH, "ESRCH");
        name(EINTR, "EINTR");
        name(EIO, "EIO");
        name(ENXIO, "ENXIO");
        name(EBADF, "EBADF");
        name(EAGAIN, "EAGAIN");
        name(ENOMEM, "ENOMEM");
        name(EACCES, "EACCES");
        name(EBUSY, "EBUSY");
        name(EEXIST, "EEXIST");
        name(ENODEV, "ENODEV");
        name(ENOTDIR, "ENOTDIR");
        name(EISDIR, "EISDIR");
        name(EINVAL, "EINVAL");
        name(ENFILE, "ENFILE");
        name(EMFILE, "EMFILE");
        name(ENOSPC, "ENOSPC");
        name(EPIPE, "EPIPE");
        name(ENAMETOOLONG, "ENAMETOOLONG");
        name(ELOOP, "ELOOP");
        name(ENOTSOCK, "ENOTSOCK");
        name(EADDRINUSE, "EADDRINUSE");
        name(ECONNRESET, "ECONNRESET");
        name(ENOTCONN, "ENOTCONN");
        name(ETIMEDOUT, "ETIMEDOUT");
        name(ECONNREFUSED, "ECONNREFUSED");
        name(EALREADY, "EALREADY");
        name(EINPROGRESS, "EINPROGRESS");
    }

    private Errno() {
    }

    private static void name(int errno, String name) {
        NAMES.put(errno, name);
        DESCRIPTIONS.put(errno, name + " (" + strerror(errno) + ")");
    }

    private static String strerror(int errno) {
        // glibc returns a pointer into its static message table for every known errno.
        MemorySegment text = Linux.strerror(errno);
        return text.getString(0);
    }

    /** The symbolic name, e.g. {@code "EAGAIN"}, or {@code "errno 200"} for one we do not name. */
    public static String name(int errno) {
        String name = NAMES.get(errno);
        return name != null ? name : "errno " + errno;
    }

    /** Name and text, e.g. {@code "ECONNREFUSED (Connection refused)"}. */
    public static String describe(int errno) {
        String text = DESCRIPTIONS.get(errno);
        return text != null ? text : "errno " + errno + " (" + strerror(errno) + ")";
    }
}
