package io.qtx.agent.handlers.admin;

import java.io.IOException;

import io.qtx.ffi.AdminCalls;
import io.qtx.ffi.Errno;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Syscalls;

/** Freezes and thaws one mounted filesystem; tests give a fake or point it at a safe descriptor. */
public interface Freezer {

    void freeze(String mountpoint) throws IOException;

    void thaw(String mountpoint) throws IOException;

    /**
     * Thaws {@code mountpoint} if it is frozen; false when it was not (the kernel's EINVAL),
     * which is how the agent finds what a crashed predecessor left frozen.
     */
    boolean thawIfFrozen(String mountpoint) throws IOException;

    /** ioctl(FIFREEZE/FITHAW) on the mount point's directory, through FFM. */
    static Freezer ioctl() {
        return new Freezer() {
            @Override
            public void freeze(String mountpoint) throws IOException {
                call(mountpoint, AdminCalls.FIFREEZE, "ioctl(FIFREEZE)");
            }

            @Override
            public void thaw(String mountpoint) throws IOException {
                call(mountpoint, AdminCalls.FITHAW, "ioctl(FITHAW)");
            }

            @Override
            public boolean thawIfFrozen(String mountpoint) throws IOException {
                try {
                    thaw(mountpoint);
                    return true;
                } catch (NativeException e) {
                    if (e.errno() == Errno.EINVAL && e.call().equals("ioctl(FITHAW)")) {
                        return false;
                    }
                    throw e;
                }
            }

            private void call(String mountpoint, long request, String name) throws IOException {
                try (Fd fd = Syscalls.open(mountpoint, Syscalls.O_RDONLY, 0)) {
                    AdminCalls.ioctl(fd, request, name);
                }
            }
        };
    }
}
