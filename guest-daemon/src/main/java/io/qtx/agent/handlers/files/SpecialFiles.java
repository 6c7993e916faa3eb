package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import io.qtx.agent.policy.Refusal;
import io.qtx.ffi.Fd;
import io.qtx.ffi.Syscalls;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.Response;

/**
 * FIFOs, devices and sockets: opening or reading one can wait for ever (a FIFO nobody writes,
 * a tty nobody types on), and a worker waiting for ever is one of four gone. Reads and writes
 * refuse them unless the host sets {@code allow_special}, and then run bounded by the
 * request's deadline.
 */
final class SpecialFiles {

    enum Kind {
        ABSENT("missing file"), REGULAR("regular file"), DIRECTORY("directory"), FIFO("FIFO"),
        CHAR_DEVICE("character device"), BLOCK_DEVICE("block device"), SOCKET("socket"), OTHER("special file");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        String text() {
            return text;
        }

        boolean special() {
            return this != ABSENT && this != REGULAR && this != DIRECTORY;
        }
    }

    /** Some I/O that may block. */
    interface Io {
        Response run() throws IOException, Refusal;
    }

    private SpecialFiles() {
    }

    /** What {@code path} is, links followed (the policy check has resolved them already). */
    static Kind kind(Path path) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode");
        } catch (NoSuchFileException e) {
            return Kind.ABSENT;
        }
        return switch (mode & 0170000) {
            case 0100000 -> Kind.REGULAR;
            case 0040000 -> Kind.DIRECTORY;
            case 0010000 -> Kind.FIFO;
            case 0020000 -> Kind.CHAR_DEVICE;
            case 0060000 -> Kind.BLOCK_DEVICE;
            case 0140000 -> Kind.SOCKET;
            default -> Kind.OTHER;
        };
    }

    /**
     * Runs {@code io} on this thread; at the deadline a guard interrupts it (the JDK's file
     * channels give up a blocked read or write when interrupted) and, for a FIFO, opens the
     * other end for a moment, which ends an open still waiting for a partner. The answer is
     * then ERROR_CODE_TIMEOUT.
     */
    static Response bounded(Path path, Kind kind, long deadlineNanos, Io io) throws IOException, Refusal {
        Thread worker = Thread.currentThread();
        AtomicBoolean done = new AtomicBoolean();
        AtomicBoolean fired = new AtomicBoolean();
        Thread guard = Thread.ofVirtual().name("special-file-guard").start(() -> {
            long left;
            while (!done.get() && (left = deadlineNanos - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
            }
            if (done.get()) {
                return;
            }
            fired.set(true);
            worker.interrupt();
            if (kind == Kind.FIFO) {
                try (Fd partner = Syscalls.open(path.toString(), Syscalls.O_RDWR, 0)) {
                    // opened and closed: the waiting open has its partner and returns
                } catch (IOException e) {
                    // gone meanwhile: nothing waits on it
                }
            }
        });
        try {
            Response r = io.run();
            if (fired.get()) {
                throw new Refusal(ErrorCode.ERROR_CODE_TIMEOUT, path + ": the request's deadline passed");
            }
            return r;
        } catch (ClosedByInterruptException e) {
            throw new Refusal(ErrorCode.ERROR_CODE_TIMEOUT, path + ": no data before the request's deadline");
        } finally {
            done.set(true);
            LockSupport.unpark(guard);
            try {
                guard.join();
            } catch (InterruptedException e) {
                // cleared below
            }
            // The interrupt was ours: the pool's thread goes back clean.
            Thread.interrupted();
        }
    }
}
