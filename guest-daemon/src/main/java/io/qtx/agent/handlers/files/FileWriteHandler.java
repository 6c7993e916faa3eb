package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

import io.qtx.agent.handlers.Audit;
import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.policy.PathRules;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.FileWriteRequest;
import io.qtx.proto.FileWriteResult;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;

/**
 * One chunk of a file. A whole file in one request (offset 0, truncate, no append) is
 * written to a temporary file beside it, synced, and renamed over the old one, so a reader
 * sees the old file or the new one, never half of each. Other chunks are written in place.
 */
public final class FileWriteHandler implements RequestHandler {

    private final PathRules rules;
    private final int maxChunk;

    public FileWriteHandler(PathRules rules, int maxChunk) {
        this.rules = rules;
        this.maxChunk = maxChunk;
    }

    @Override
    public RequestKind kind() {
        return RequestKind.REQUEST_KIND_FILE_WRITE;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public String summary(Request request) {
        FileWriteRequest w = request.getFileWrite();
        return "path=" + Audit.quote(w.getPath()) + " bytes=" + w.getData().size()
                + (w.getAppend() ? " append" : " offset=" + w.getOffset()) + (w.getTruncate() ? " truncate" : "");
    }

    @Override
    public Response handle(Request request, RequestContext context) throws Refusal, IOException {
        FileWriteRequest w = request.getFileWrite();
        if (w.getData().size() > maxChunk) {
            throw Refusal.badArgument("chunk of " + w.getData().size() + " bytes is over the agent's files.max_chunk ("
                    + maxChunk + ")");
        }
        if (w.getOffset() < 0) {
            throw Refusal.badArgument("offset " + Long.toUnsignedString(w.getOffset()) + " is out of range");
        }
        Set<PosixFilePermission> mode = FileModes.of(w.getMode(), 0644);
        Path path = rules.check(w.getPath(), PathRules.Access.WRITE, true);
        if (Files.isDirectory(path)) {
            throw Refusal.badArgument(w.getPath() + ": is a directory");
        }
        Path parent = path.getParent();
        if (!Files.isDirectory(parent)) {
            if (!w.getCreateParents()) {
                throw Refusal.badArgument(parent + ": no such directory (set create_parents)");
            }
            rules.check(parent.toString(), PathRules.Access.WRITE, true);
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(FileModes.of(0755, 0755)));
        }
        if (w.getOffset() == 0 && w.getTruncate() && !w.getAppend()) {
            return result(w.getData().size(), replaceAtomically(path, w.getData().asReadOnlyByteBuffer(), mode));
        }
        boolean created = !Files.exists(path, LinkOption.NOFOLLOW_LINKS);
        EnumSet<StandardOpenOption> options = EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        if (w.getAppend()) {
            options.add(StandardOpenOption.APPEND);
        }
        try (FileChannel ch = FileChannel.open(path, options)) {
            if (created) {
                Files.setPosixFilePermissions(path, mode);
            }
            ByteBuffer data = w.getData().asReadOnlyByteBuffer();
            long position = w.getAppend() ? ch.size() : w.getOffset();
            while (data.hasRemaining()) {
                position += w.getAppend() ? ch.write(data) : ch.write(data, position);
            }
            if (w.getTruncate() && !w.getAppend()) {
                ch.truncate(position);
            }
            return result(w.getData().size(), ch.size());
        }
    }

    private static long replaceAtomically(Path path, ByteBuffer data, Set<PosixFilePermission> mode)
            throws IOException {
        Set<PosixFilePermission> keep = Files.exists(path) ? Files.getPosixFilePermissions(path) : mode;
        Path temp = Files.createTempFile(path.getParent(), "." + path.getFileName(), ".qtx-tmp",
                PosixFilePermissions.asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE)));
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                while (data.hasRemaining()) {
                    ch.write(data);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(temp, keep);
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(path + ": cannot replace atomically: " + e.getMessage());
            }
            return Files.size(path);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Response result(long written, long size) {
        return Response.newBuilder().setFileWrite(FileWriteResult.newBuilder()
                .setBytesWritten(written).setFileSize(size)).build();
    }
}
