package io.qtx.ffi;

import java.io.IOException;

/**
 * A failed system call: names the call, the argument that matters (a path, an fd) and the
 * errno by name and text, e.g. {@code connect(/run/x.sock): ECONNREFUSED (Connection refused)}.
 */
public class NativeException extends IOException {

    private final String call;
    private final int errno;

    public NativeException(String call, String argument, int errno) {
        super(message(call, argument, errno));
        this.call = call;
        this.errno = errno;
    }

    static String message(String call, String argument, int errno) {
        String target = argument == null ? call : call + "(" + argument + ")";
        return target + ": " + Errno.describe(errno);
    }

    /** The system call that failed, e.g. {@code "epoll_ctl"}. */
    public String call() {
        return call;
    }

    /** The errno it failed with. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "ECONNREFUSED"}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
