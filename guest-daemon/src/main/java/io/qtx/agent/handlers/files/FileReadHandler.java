package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import com.google.protobuf.ByteString;

import io.qtx.agent.handlers.Audit;
import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.policy.PathRules;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.FileReadChunk;
import io.qtx.proto.FileReadRequest;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;

/**
 * One chunk of a file: at most the request's length, the configured chunk, and what fits in a
 * reply. FIFOs and devices only with {@code allow_special}, and then one read bounded by the
 * request's deadline.
 */
public final class FileReadHandler implements RequestHandler {

    static final int DEFAULT_CHUNK = 32 * 1024;
    private static final int CHUNK_ROOM = 128;

    private final PathRules rules;
    private final int maxChunk;

    public FileReadHandler(PathRules rules, int maxChunk) {
        this.rules = rules;
        this.maxChunk = maxChunk;
    }

    @Override
    public RequestKind kind() {
        return RequestKind.REQUEST_KIND_FILE_READ;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public String summary(Request request) {
        return "path=" + Audit.quote(request.getFileRead().getPath()) + " offset=" + request.getFileRead().getOffset();
    }

    @Override
    public Response handle(Request request, RequestContext context) throws Refusal, IOException {
        FileReadRequest r = request.getFileRead();
        Path path = rules.check(r.getPath(), PathRules.Access.READ, true);
        SpecialFiles.Kind kind = SpecialFiles.kind(path);
        if (kind == SpecialFiles.Kind.DIRECTORY) {
            throw Refusal.badArgument(r.getPath() + ": is a directory");
        }
        if (kind.special() && !r.getAllowSpecial()) {
            throw Refusal.badArgument(r.getPath() + ": a " + kind.text() + ", not a regular file: set allow_special"
                    + " to read it");
        }
        if (r.getOffset() < 0 || r.getOffset() > Long.MAX_VALUE / 2) {
            throw Refusal.badArgument("offset " + Long.toUnsignedString(r.getOffset()) + " is out of range");
        }
        int want = r.getLength() == 0 ? DEFAULT_CHUNK : r.getLength();
        int length = Math.max(0, Math.min(Math.min(want, maxChunk), context.maxResponseBytes() - CHUNK_ROOM));
        if (kind.special()) {
            return SpecialFiles.bounded(path, kind, context.deadlineNanos(), () -> readStream(path, r.getOffset(), length));
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate(length);
            long position = r.getOffset();
            int n;
            while (buf.hasRemaining() && (n = ch.read(buf, position)) > 0) {
                position += n;
            }
            buf.flip();
            // Files under /proc report size 0; there a short read is the end.
            boolean eof = buf.limit() < length || (size > 0 && position >= size);
            return Response.newBuilder().setFileRead(FileReadChunk.newBuilder()
                    .setOffset(r.getOffset())
                    .setData(ByteString.copyFrom(buf))
                    .setEof(eof)
                    .setFileSize(Math.max(size, position))).build();
        }
    }

    /** A FIFO or device: no size and no positions; one read of what is there, at most {@code length}. */
    private static Response readStream(Path path, long offset, int length) throws IOException, Refusal {
        if (offset != 0) {
            throw Refusal.badArgument(path + ": a stream has no offsets; read it from 0");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(length);
            int n = ch.read(buf);
            buf.flip();
            return Response.newBuilder().setFileRead(FileReadChunk.newBuilder()
                    .setOffset(0).setData(ByteString.copyFrom(buf)).setEof(n < 0)
                    .setFileSize(buf.limit())).build();
        }
    }
}
