package io.qtx.ffi;

/**
 * Constants the generated bindings lack: jextract's argfile does not list them, jextract is not
 * installed where the project builds, and generated code is never edited by hand. Each one is
 * checked against C: {@code NativeLayoutTest} has layouts.c print every field of this class by
 * name and fails on a difference or on a field C does not print. When the bindings are next
 * regenerated, list them in {@code jextract/qtx_linux.args} and delete them here.
 */
public final class ExtraConstants {

    /** ioctl: bytes written to a stream socket that the peer has not read (linux/sockios.h: TIOCOUTQ). */
    public static final long SIOCOUTQ = 0x5411;

    /** mmap: pages that may not be accessed at all (sys/mman.h). */
    public static final int PROT_NONE = 0;

    private ExtraConstants() {
    }
}
