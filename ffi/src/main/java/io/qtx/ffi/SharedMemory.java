package io.qtx.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.qtx.ffi.generated.Linux;

/**
 * The checked level for memory shared through a descriptor: a memfd, an address-space
 * reservation, a fixed shared mapping of the memfd into it, and unmapping. Failures are
 * {@link NativeException}s naming the call, its argument and the errno. Addresses are plain
 * {@code long}s: the caller owns the mapping and decides when it ends.
 */
public final class SharedMemory {

    private SharedMemory() {
    }

    /** A close-on-exec memfd named {@code name} (it shows as {@code memfd:NAME} in /proc/PID/maps), {@code size} bytes long. */
    public static Fd memfd(String name, long size) throws NativeException {
        int r;
        try (Arena arena = Arena.ofConfined()) {
            r = RawSyscalls.memfdCreate(arena.allocateFrom(name), Linux.MFD_CLOEXEC());
        }
        Fd fd = new Fd(Syscalls.check("memfd_create", name, r), "memfd:" + name);
        try {
            Syscalls.check("ftruncate", fd.description(), RawSyscalls.ftruncate(fd.checkedValue("ftruncate"), size));
        } catch (NativeException e) {
            fd.close();
            throw e;
        }
        return fd;
    }

    /** Reserves {@code length} bytes of address space that may not be touched (private, anonymous, PROT_NONE). */
    public static long reserve(long length) throws NativeException {
        long r = RawSyscalls.mmap(MemorySegment.NULL, length, ExtraConstants.PROT_NONE,
                Linux.MAP_PRIVATE() | Linux.MAP_ANONYMOUS(), -1, 0);
        return address("mmap", length + " bytes reserved", r);
    }

    /**
     * Maps the first {@code length} bytes of {@code fd} read-write and shared at exactly
     * {@code address} (MAP_FIXED), replacing whatever was mapped there (a reservation).
     */
    public static void mapFixed(long address, long length, Fd fd) throws NativeException {
        long r = RawSyscalls.mmap(MemorySegment.ofAddress(address), length, Linux.PROT_READ() | Linux.PROT_WRITE(),
                Linux.MAP_SHARED() | Linux.MAP_FIXED(), fd.checkedValue("mmap"), 0);
        address("mmap", fd.description(), r);
    }

    /** Unmaps {@code length} bytes at {@code address}. */
    public static void unmap(long address, long length) throws NativeException {
        Syscalls.check("munmap", length + " bytes at 0x" + Long.toHexString(address),
                RawSyscalls.munmap(MemorySegment.ofAddress(address), length));
    }

    /** User-space addresses are below 2^47 (2^56 with 5-level tables): a negative result is {@code -errno}. */
    private static long address(String call, String argument, long r) throws NativeException {
        if (r < 0) {
            throw Syscalls.failure(call, argument, (int) -r);
        }
        return r;
    }
}
