package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import io.qtx.agent.policy.Refusal;
import io.qtx.proto.ErrorCode;

/**
 * Uploads in progress: each one's chunks go, in order, to a temporary file beside its target
 * ({@code .qtx-upload-<id>} in the same directory, so the final rename stays on one
 * filesystem), and only the commit touches the target: sync, the old file's attributes, an
 * atomic rename, a sync of the directory. A reader of the target sees the old file or the
 * new one, whatever happens to the host, the channel or the agent in between.
 *
 * <p>An upload with no chunk for {@code idle} is dropped with its temporary file by a thread
 * that runs only while uploads are open (never while filesystems are frozen). Each temporary
 * file is noted in the journal directory first, so the ones a killed agent leaves behind are
 * removed at the next start; without a writable journal uploads still work, and only that
 * clean-up is lost (logged once).
 */
public final class Uploads {

    private static final System.Logger LOG = System.getLogger(Uploads.class.getName());
    static final String PREFIX = ".qtx-upload-";
    private static final int MIN_ID = 8;
    private static final int MAX_ID = 64;
    /** Uploads open at once: each holds a temporary file, and a host must not be able to fill the disk with them. */
    static final int MAX_OPEN = 64;

    private static final class Upload {
        final String id;
        final Path target;
        final Path temp;
        long received;
        boolean created;
        boolean finished;
        volatile long touchedNanos = System.nanoTime();

        Upload(String id, Path target) {
            this.id = id;
            this.target = target;
            this.temp = target.resolveSibling(PREFIX + id);
        }
    }

    private final Path journal;
    private final Duration idle;
    private final BooleanSupplier frozen;
    private final Map<String, Upload> open = new HashMap<>();
    private Thread sweeper;
    private boolean journalBroken;

    public Uploads(Path journal, Duration idle, BooleanSupplier frozen) {
        this.journal = journal;
        this.idle = idle;
        this.frozen = frozen;
    }

    /** At start: removes the temporary files the journal names, then their notes; returns how many files. */
    public int removeLeftovers() {
        if (!Files.isDirectory(journal)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> notes = Files.newDirectoryStream(journal)) {
            for (Path note : notes) {
                String id = note.getFileName().toString();
                try {
                    Path temp = Path.of(Files.readString(note, StandardCharsets.UTF_8));
                    // Only ever a file of our own naming: a tampered note cannot delete anything else.
                    if (temp.isAbsolute() && temp.getFileName() != null
                            && temp.getFileName().toString().equals(PREFIX + id)
                            && Files.deleteIfExists(temp)) {
                        removed++;
                        LOG.log(System.Logger.Level.WARNING, "removed " + temp + ", an upload a stopped agent left unfinished");
                    }
                    Files.deleteIfExists(note);
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "upload journal " + note + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "upload journal " + journal + ": " + e.getMessage());
        }
        return removed;
    }

    /** The hex text of a host's upload id, if it is one. */
    static String id(byte[] raw) throws Refusal {
        if (raw.length < MIN_ID || raw.length > MAX_ID) {
            throw Refusal.badArgument("upload_id must be " + MIN_ID + ".." + MAX_ID + " bytes, got " + raw.length);
        }
        return HexFormat.of().formatHex(raw);
    }

    /** Writes one chunk of upload {@code id} for {@code target} at {@code offset}; returns the bytes received so far. */
    long write(String id, Path target, long offset, ByteBuffer data) throws Refusal, IOException {
        Upload u;
        synchronized (this) {
            u = open.get(id);
            if (u == null) {
                if (offset != 0) {
                    throw new Refusal(ErrorCode.ERROR_CODE_NOT_FOUND, "upload " + id + " is not open (idle longer than"
                            + " files.upload_idle, or the agent restarted): send it again from offset 0");
                }
                if (open.size() >= MAX_OPEN) {
                    throw new Refusal(ErrorCode.ERROR_CODE_INTERNAL, MAX_OPEN + " uploads are open already: finish or"
                            + " abort one first");
                }
                u = new Upload(id, target);
                open.put(id, u);
                if (sweeper == null) {
                    sweeper = Thread.ofPlatform().name("upload-sweeper").daemon().start(this::sweep);
                }
            }
        }
        synchronized (u) {
            check(u, target);
            if (offset != u.received) {
                throw Refusal.badArgument("upload " + id + " has " + u.received + " bytes; a chunk at " + offset
                        + " is out of order");
            }
            try {
                if (!u.created) {
                    note(u);
                    Files.createFile(u.temp, PosixFilePermissions.asFileAttribute(
                            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
                    u.created = true;
                }
                try (FileChannel ch = FileChannel.open(u.temp, StandardOpenOption.WRITE)) {
                    long position = offset;
                    while (data.hasRemaining()) {
                        position += ch.write(data, position);
                    }
                    u.received = position;
                }
            } catch (IOException e) {
                discard(u);
                throw e;
            }
            u.touchedNanos = System.nanoTime();
            return u.received;
        }
    }

    /**
     * Ends upload {@code id}: the temporary file takes the target's owner, group, mode and
     * extended attributes (or {@code modeIfNew}), is synced and renamed over the target, and
     * the directory is synced. On any failure the upload is dropped and the target untouched.
     */
    long commit(String id, Path target, Set<PosixFilePermission> modeIfNew) throws Refusal, IOException {
        Upload u;
        synchronized (this) {
            u = open.get(id);
        }
        if (u == null) {
            throw new Refusal(ErrorCode.ERROR_CODE_NOT_FOUND, "upload " + id + " is not open: nothing to commit");
        }
        synchronized (u) {
            check(u, target);
            try {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    FileAttributes.copy(target, u.temp);
                } else {
                    Files.setPosixFilePermissions(u.temp, modeIfNew);
                }
                FileAttributes.sync(u.temp);
                try {
                    Files.move(u.temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException(target + ": cannot replace atomically: " + e.getMessage());
                }
                FileAttributes.syncDirectory(target.getParent());
            } catch (IOException e) {
                discard(u);
                throw e;
            }
            finish(u);
            return u.received;
        }
    }

    /** Drops upload {@code id} and its temporary file; false when it was not open. */
    boolean abort(String id) throws IOException {
        Upload u;
        synchronized (this) {
            u = open.get(id);
        }
        if (u == null) {
            return false;
        }
        synchronized (u) {
            if (u.finished) {
                return false;
            }
            discard(u);
        }
        return true;
    }

    /** Uploads open now, for tests. */
    synchronized int openCount() {
        return open.size();
    }

    private static void check(Upload u, Path target) throws Refusal {
        if (u.finished) {
            throw new Refusal(ErrorCode.ERROR_CODE_NOT_FOUND, "upload " + u.id + " is over (committed, aborted or"
                    + " idle too long)");
        }
        if (!u.target.equals(target)) {
            throw Refusal.badArgument("upload " + u.id + " is for " + u.target + ", not " + target);
        }
    }

    private void note(Upload u) {
        if (journalBroken) {
            return;
        }
        try {
            Files.createDirectories(journal, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.writeString(journal.resolve(u.id), u.temp.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            journalBroken = true;
            LOG.log(System.Logger.Level.WARNING, "upload journal " + journal + ": " + e.getMessage()
                    + "; uploads still work, but the temporary file of one cut off by a restart stays");
        }
    }

    /** Called holding u's lock: removes the temporary file and the note, and forgets the upload. */
    private void discard(Upload u) {
        try {
            Files.deleteIfExists(u.temp);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "removing " + u.temp + ": " + e.getMessage());
        }
        finish(u);
    }

    private void finish(Upload u) {
        u.finished = true;
        try {
            Files.deleteIfExists(journal.resolve(u.id));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "upload journal note " + u.id + ": " + e.getMessage());
        }
        synchronized (this) {
            open.remove(u.id, u);
        }
    }

    private void sweep() {
        while (true) {
            List<Upload> expired = new ArrayList<>();
            synchronized (this) {
                if (open.isEmpty()) {
                    sweeper = null;
                    return;
                }
                long now = System.nanoTime();
                long wait = idle.toNanos();
                boolean holdOff = frozen.getAsBoolean();
                for (Upload u : open.values()) {
                    long left = u.touchedNanos + idle.toNanos() - now;
                    if (left <= 0 && !holdOff) {
                        expired.add(u);
                    } else {
                        wait = Math.min(wait, Math.max(left, holdOff ? 1_000_000_000L : 0));
                    }
                }
                if (expired.isEmpty()) {
                    try {
                        wait(Math.max(1, wait / 1_000_000));
                    } catch (InterruptedException e) {
                        sweeper = null;
                        return;
                    }
                    continue;
                }
            }
            for (Upload u : expired) {
                synchronized (u) {
                    if (!u.finished) {
                        LOG.log(System.Logger.Level.WARNING, "upload " + u.id + " to " + u.target + " idle for "
                                + idle.toSeconds() + " s: dropped, " + u.target + " untouched");
                        discard(u);
                    }
                }
            }
        }
    }
}
