package io.qtx.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import io.qtx.ffi.generated.Linux;
import io.qtx.ffi.generated.sockaddr_un;
import io.qtx.ffi.generated.statvfs;
import io.qtx.ffi.generated.timespec;

/**
 * The checked level over {@link RawAdminCalls}, plus statvfs and the freeze ioctls from
 * {@link RawSyscalls}: failures become a {@link NativeException} naming the call and its
 * argument.
 */
public final class AdminCalls {

    public static final long FIFREEZE = Linux.FIFREEZE();
    public static final long FITHAW = Linux.FITHAW();
    public static final int SIGKILL = Linux.SIGKILL();
    public static final int SIGTERM = Linux.SIGTERM();

    private static final int DGRAM = Linux.SOCK_DGRAM() | Linux.SOCK_NONBLOCK() | Linux.SOCK_CLOEXEC();
    private static final long PATH_CAPACITY = sockaddr_un.sun_path$layout().byteSize();

    private AdminCalls() {
    }

    /** Sends {@code signal} to {@code pid} (a negative pid names a process group). */
    public static void kill(int pid, int signal) throws NativeException {
        Syscalls.check("kill", "pid " + pid + " signal " + signal, RawAdminCalls.kill(pid, signal));
    }

    public static int getpid() {
        return RawAdminCalls.getpid();
    }

    /** Sets CLOCK_REALTIME to {@code unixMillis}. */
    public static void setRealtime(long unixMillis) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment time = arena.allocate(timespec.layout());
            timespec.tv_sec(time, Math.floorDiv(unixMillis, 1000));
            timespec.tv_nsec(time, Math.floorMod(unixMillis, 1000) * 1_000_000L);
            Syscalls.check("clock_settime", "CLOCK_REALTIME", RawAdminCalls.clockSettime(Linux.CLOCK_REALTIME(), time));
        }
    }

    /** Sizes of the filesystem holding {@code path}, in bytes and inodes. */
    public static FsUsage statvfs(String path) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(statvfs.layout());
            Syscalls.check("statvfs", path, RawSyscalls.statvfs(arena.allocateFrom(path), buf));
            long unit = statvfs.f_frsize(buf) != 0 ? statvfs.f_frsize(buf) : statvfs.f_bsize(buf);
            return new FsUsage(statvfs.f_blocks(buf) * unit, statvfs.f_bfree(buf) * unit,
                    statvfs.f_bavail(buf) * unit, statvfs.f_files(buf), statvfs.f_ffree(buf), statvfs.f_flag(buf));
        }
    }

    /** What statvfs says, already multiplied out to bytes. */
    public record FsUsage(long totalBytes, long freeBytes, long availableBytes, long inodes, long inodesFree,
                          long flags) {
    }

    /** One ioctl without argument data (FIFREEZE, FITHAW take an unused int). */
    public static void ioctl(Fd fd, long request, String name) throws NativeException {
        int r = RawSyscalls.ioctl(fd.checkedValue(name), request, MemorySegment.NULL);
        Syscalls.check(name, fd.description(), r);
    }

    /**
     * Sends one datagram to the Unix socket at {@code path} from a fresh unbound socket; a
     * leading '@' names an abstract socket (as {@code $NOTIFY_SOCKET} does).
     */
    public static void sendDatagram(String path, byte[] payload) throws NativeException {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length >= PATH_CAPACITY) {
            throw new NativeException("sendto", path + " is " + name.length + " bytes, the limit is "
                    + (PATH_CAPACITY - 1), Errno.ENAMETOOLONG);
        }
        boolean abstractName = name.length > 0 && name[0] == '@';
        int fd = Syscalls.check("socket", path, RawSockets.socket(Linux.AF_UNIX(), DGRAM, 0));
        try (Fd socket = new Fd(fd, "unix-dgram:" + path); Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(sockaddr_un.layout());
            sockaddr_un.sun_family(address, (short) Linux.AF_UNIX());
            MemorySegment.copy(MemorySegment.ofArray(name), 0, sockaddr_un.sun_path(address), 0, name.length);
            if (abstractName) {
                sockaddr_un.sun_path(address).set(Linux.C_CHAR, 0, (byte) 0);
            }
            // An abstract name is exactly as long as given; a path name ends at its NUL.
            long pathOffset = sockaddr_un.sun_path$offset();
            int length = (int) (pathOffset + name.length + (abstractName ? 0 : 1));
            MemorySegment data = arena.allocate(Math.max(1, payload.length));
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, data, 0, payload.length);
            long r = RawAdminCalls.sendto(socket.intValue(), data, payload.length, Linux.MSG_NOSIGNAL(), address, length);
            if (r < 0) {
                throw Syscalls.failure("sendto", path, (int) -r);
            }
        }
    }
}
