package io.qtx.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * Where a downcall leaves {@code errno}: jextract cannot add
 * {@link Linker.Option#captureCallState}, so our handles add it and pass this thread's cell.
 *
 * <p>One cell per thread, reused for every call, so no syscall allocates. Its lifetime is the
 * thread's, which no arena scope can express; the automatic arena frees it after the thread
 * is gone. It is four bytes a thread, not a buffer.
 */
final class ErrnoCell {

    static final StructLayout LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = LAYOUT.varHandle(PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CELL =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(LAYOUT));

    private ErrnoCell() {
    }

    static MemorySegment get() {
        return CELL.get();
    }

    /** The errno the last call on this thread left in {@code cell}. */
    static int errno(MemorySegment cell) {
        return (int) ERRNO.get(cell, 0L);
    }
}
