package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import io.qtx.ffi.Xattrs;

/**
 * What a replacement file takes over from the file it replaces, and the syncs that make a
 * rename durable.
 */
final class FileAttributes {

    private FileAttributes() {
    }

    /**
     * Gives {@code to} the owner, group, mode (set-id and sticky bits included) and every
     * extended attribute of {@code from}: POSIX ACLs, the SELinux label, file capabilities,
     * user attributes. In that order, because chown clears set-id bits and capabilities. An
     * attribute that cannot be copied fails the whole replacement (the old file stays) rather
     * than quietly loosen or tighten who may use the file.
     */
    static void copy(Path from, Path to) throws IOException {
        Map<String, Object> a = Files.readAttributes(from, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:uid", a.get("uid"), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", a.get("gid"), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:mode", (Integer) a.get("mode") & 07777, LinkOption.NOFOLLOW_LINKS);
        String source = from.toString();
        String target = to.toString();
        for (String name : Xattrs.list(source)) {
            Xattrs.set(target, name, Xattrs.get(source, name));
        }
    }

    /** fsync of a file's data and metadata. */
    static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** fsync of a directory, which makes a rename or an unlink in it durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
