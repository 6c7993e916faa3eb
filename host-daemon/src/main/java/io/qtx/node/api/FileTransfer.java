package io.qtx.node.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Duration;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;

import io.qtx.node.Node;
import io.qtx.node.NodeException;
import io.qtx.proto.FileReadChunk;
import io.qtx.proto.FileReadRequest;
import io.qtx.proto.FileWriteRequest;
import io.qtx.proto.Request;

/**
 * File contents in and out of a guest, one 32 KiB chunk per request, so a file of any size
 * passes through qx-node with one chunk in memory at a time. An upload replaces the guest's
 * file atomically (see {@link #upload}).
 *
 * <p>A download's status is decided by its first chunk (404 for a missing file and so on).
 * A failure after that can no longer change the status: the response is cut off without its
 * final chunk, which every HTTP client reports as an error rather than a short file.
 */
final class FileTransfer {

    static final int CHUNK = 32 * 1024;
    static final int UPLOAD_ID_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Node node;

    FileTransfer(Node node) {
        this.node = node;
    }

    void download(HttpExchange ex, String vm, String path, Duration timeout) throws IOException {
        FileReadChunk chunk = read(vm, path, 0, timeout);
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.getResponseHeaders().set("X-Qtx-File-Size", Long.toString(chunk.getFileSize()));
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        long offset = 0;
        while (true) {
            chunk.getData().writeTo(out);
            offset += chunk.getData().size();
            if (chunk.getEof()) {
                break;
            }
            if (chunk.getData().isEmpty()) {
                throw new IOException(vm + ": agent sent an empty chunk at " + offset + " of " + path + " without eof");
            }
            chunk = read(vm, path, offset, timeout);
        }
        out.close();
    }

    private FileReadChunk read(String vm, String path, long offset, Duration timeout) {
        Request.Builder r = Request.newBuilder().setFileRead(FileReadRequest.newBuilder().setPath(path)
                .setOffset(offset).setLength(CHUNK));
        return ApiServer.await(node.request(vm, r, timeout), timeout).getFileRead();
    }

    /**
     * Replaces the file with the body, as one upload: every chunk carries the same random
     * upload id, in order, and the last one commits, so the agent renames the whole new file
     * over the old one only then. A body that ends early (or an agent error) aborts the
     * upload: the file in the guest stays as it was, byte for byte. The last chunk also says
     * {@code truncate}, which an agent that predates uploads needs and a current one ignores.
     */
    void upload(HttpExchange ex, String vm, String path, int mode, boolean createParents, Duration timeout)
            throws IOException {
        byte[] raw = new byte[UPLOAD_ID_BYTES];
        RANDOM.nextBytes(raw);
        ByteString uploadId = ByteString.copyFrom(raw);
        long offset = 0;
        long size = 0;
        boolean committed = false;
        try (InputStream in = ex.getRequestBody()) {
            byte[] current = in.readNBytes(CHUNK);
            while (true) {
                byte[] next = current.length == CHUNK ? in.readNBytes(CHUNK) : new byte[0];
                boolean last = next.length == 0;
                FileWriteRequest.Builder w = FileWriteRequest.newBuilder().setPath(path).setOffset(offset)
                        .setData(ByteString.copyFrom(current)).setUploadId(uploadId).setCommit(last).setTruncate(last)
                        .setMode(mode).setCreateParents(createParents);
                var result = ApiServer.await(node.request(vm, Request.newBuilder().setFileWrite(w), timeout), timeout)
                        .getFileWrite();
                if (result.getBytesWritten() != current.length) {
                    throw new NodeException(NodeException.Code.AGENT_ERROR, vm + ": agent wrote "
                            + result.getBytesWritten() + " of " + current.length + " bytes at " + offset + " of " + path);
                }
                offset += current.length;
                size = result.getFileSize();
                if (last) {
                    committed = true;
                    break;
                }
                current = next;
            }
        } finally {
            if (!committed) {
                abort(vm, path, uploadId, timeout);
            }
        }
        HttpIo.json(ex, 200, new JsonOut().beginObject().field("vm", vm).field("path", path)
                .field("bytes_written", offset).field("file_size", size).endObject().toString());
    }

    /** Best effort: the agent also drops an idle upload by itself (files.upload_idle). */
    private void abort(String vm, String path, ByteString uploadId, Duration timeout) {
        try {
            node.request(vm, Request.newBuilder().setFileWrite(FileWriteRequest.newBuilder().setPath(path)
                    .setUploadId(uploadId).setAbort(true)), timeout);
        } catch (RuntimeException e) {
            // The VM is gone or not ready: its agent drops the upload when it goes idle.
        }
    }
}
