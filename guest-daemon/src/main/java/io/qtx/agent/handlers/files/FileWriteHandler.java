package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HexFormat;
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
 * One chunk of a file. A chunk of an upload ({@code upload_id}) goes to that upload's
 * temporary file and the commit replaces the target atomically ({@link Uploads}); so does a
 * whole file in one request (offset 0, truncate, no append), as an upload of one chunk.
 * Other chunks are written in place, and only to a regular file unless the host asks for a
 * FIFO or device with {@code allow_special} (then bounded by the request's deadline).
 */
public final class FileWriteHandler implements RequestHandler {

    private final PathRules rules;
    private final int maxChunk;
    private final Uploads uploads;

    public FileWriteHandler(PathRules rules, int maxChunk, Uploads uploads) {
        this.rules = rules;
        this.maxChunk = maxChunk;
        this.uploads = uploads;
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
                + (w.getAppend() ? " append" : " offset=" + w.getOffset()) + (w.getTruncate() ? " truncate" : "")
                + (w.getUploadId().isEmpty() ? "" : " upload=" + HexFormat.of().formatHex(w.getUploadId().toByteArray())
                + (w.getCommit() ? " commit" : "") + (w.getAbort() ? " abort" : ""));
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
        boolean upload = !w.getUploadId().isEmpty();
        boolean whole = !upload && w.getOffset() == 0 && w.getTruncate() && !w.getAppend();
        // truncate on the commit is what an agent that predates uploads needs; here it changes nothing.
        if (upload && (w.getAppend() || (w.getTruncate() && !w.getCommit()) || w.getAllowSpecial())) {
            throw Refusal.badArgument("an upload chunk takes neither append, allow_special nor (before the commit)"
                    + " truncate");
        }
        if (upload && w.getAbort()) {
            uploads.abort(Uploads.id(w.getUploadId().toByteArray()));
            return result(0, 0);
        }
        SpecialFiles.Kind kind = SpecialFiles.kind(path);
        if (kind == SpecialFiles.Kind.DIRECTORY) {
            throw Refusal.badArgument(w.getPath() + ": is a directory");
        }
        if (kind.special() && (upload || whole || !w.getAllowSpecial())) {
            throw Refusal.badArgument(w.getPath() + ": a " + kind.text() + ", not a regular file: "
                    + (upload || whole ? "it is never replaced" : "set allow_special to write to it"));
        }
        Path parent = path.getParent();
        if (!Files.isDirectory(parent)) {
            if (!w.getCreateParents()) {
                throw Refusal.badArgument(parent + ": no such directory (set create_parents)");
            }
            rules.check(parent.toString(), PathRules.Access.WRITE, true);
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(FileModes.of(0755, 0755)));
        }
        if (upload || whole) {
            String id = upload ? Uploads.id(w.getUploadId().toByteArray()) : oneShotId();
            long size = uploads.write(id, path, w.getOffset(), w.getData().asReadOnlyByteBuffer());
            if (!upload || w.getCommit()) {
                size = uploads.commit(id, path, mode);
            }
            return result(w.getData().size(), size);
        }
        if (kind.special()) {
            return SpecialFiles.bounded(path, kind, context.deadlineNanos(), () -> writeInPlace(path, w, mode));
        }
        return writeInPlace(path, w, mode);
    }

    private static Response writeInPlace(Path path, FileWriteRequest w, Set<PosixFilePermission> mode)
            throws IOException {
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
            if (!Files.isRegularFile(path)) {
                while (data.hasRemaining()) {
                    ch.write(data);
                }
                return result(w.getData().size(), 0);
            }
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

    private static String oneShotId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private static Response result(long written, long size) {
        return Response.newBuilder().setFileWrite(FileWriteResult.newBuilder()
                .setBytesWritten(written).setFileSize(size)).build();
    }
}
