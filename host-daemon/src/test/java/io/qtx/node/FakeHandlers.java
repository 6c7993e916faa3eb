package io.qtx.node;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.google.protobuf.ByteString;

import io.qtx.proto.DeleteReport;
import io.qtx.proto.Done;
import io.qtx.proto.Error;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.ExecResult;
import io.qtx.proto.FileReadChunk;
import io.qtx.proto.FileStat;
import io.qtx.proto.FileType;
import io.qtx.proto.FileWriteResult;
import io.qtx.proto.FsQuiesceResult;
import io.qtx.proto.FsThawResult;
import io.qtx.proto.ListDirPage;
import io.qtx.proto.Process;
import io.qtx.proto.ProcessList;
import io.qtx.proto.Request;
import io.qtx.proto.Response;
import io.qtx.proto.SystemInfo;
import io.qtx.proto.TimeResult;

/** A fake agent's request handlers: a small in-memory file system and canned answers. */
public final class FakeHandlers implements Function<Request, Response> {

    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final Map<String, Boolean> dirs = new ConcurrentHashMap<>(Map.of("/", true));
    /** Paths whose delete stops part-way, as a recursive delete does, with this report. */
    public final Map<String, DeleteReport> stuckDeletes = new ConcurrentHashMap<>();
    public volatile Request lastRequest;

    /** Puts a file in the fake file system, as if the guest had it. */
    public void putFile(String path, byte[] data) {
        files.put(path, data);
    }

    @Override
    public Response apply(Request r) {
        lastRequest = r;
        return switch (r.getKindCase()) {
            case SYSTEM_INFO -> Response.newBuilder().setSystemInfo(SystemInfo.newBuilder().setHostname("guest-1")
                    .setOsId("debian").setAgentVersion("fake-1").setCpuCount(2)).build();
            case EXEC -> exec(r);
            case FILE_READ -> read(r);
            case FILE_WRITE -> write(r);
            case STAT -> {
                String path = r.getStat().getPath();
                byte[] data = files.get(path);
                if (data == null && !dirs.containsKey(path)) {
                    yield error(ErrorCode.ERROR_CODE_NOT_FOUND, "stat " + path + ": no such file");
                }
                yield Response.newBuilder().setStat(FileStat.newBuilder().setName(path)
                        .setType(data == null ? FileType.FILE_TYPE_DIRECTORY : FileType.FILE_TYPE_REGULAR)
                        .setSize(data == null ? 0 : data.length)).build();
            }
            case LIST_DIR -> {
                ListDirPage.Builder page = ListDirPage.newBuilder();
                new TreeMap<>(files).forEach((name, data) -> page.addEntries(FileStat.newBuilder().setName(name)
                        .setType(FileType.FILE_TYPE_REGULAR).setSize(data.length)));
                yield Response.newBuilder().setListDir(page).build();
            }
            case MAKE_DIR -> {
                dirs.put(r.getMakeDir().getPath(), true);
                yield done();
            }
            case DELETE -> stuckDeletes.containsKey(r.getDelete().getPath())
                    ? Response.newBuilder().setError(Error.newBuilder().setCode(ErrorCode.ERROR_CODE_PERMISSION_DENIED)
                            .setMessage(r.getDelete().getPath() + ": stopped part-way")
                            .setDeleteReport(stuckDeletes.get(r.getDelete().getPath()))).build()
                    : files.remove(r.getDelete().getPath()) != null || dirs.remove(r.getDelete().getPath()) != null
                    ? done() : error(ErrorCode.ERROR_CODE_NOT_FOUND, "delete " + r.getDelete().getPath() + ": no such file");
            case POWER, SET_PASSWORD, SIGNAL_PROCESS -> done();
            case FS_QUIESCE -> Response.newBuilder().setFsQuiesce(FsQuiesceResult.newBuilder().addFrozen("/")).build();
            case FS_THAW -> Response.newBuilder().setFsThaw(FsThawResult.newBuilder().addThawed("/")).build();
            case SET_TIME, SYNC_TIME -> Response.newBuilder().setTime(TimeResult.newBuilder()
                    .setUnixMs(r.getSetTime().getUnixMs()).setAdjustedByMs(5)).build();
            case LIST_PROCESSES -> Response.newBuilder().setListProcesses(ProcessList.newBuilder()
                    .addProcesses(Process.newBuilder().setPid(1).setName("init").setState("S"))).build();
            default -> error(ErrorCode.ERROR_CODE_UNKNOWN_REQUEST, "no handler for " + r.getKindCase());
        };
    }

    private Response exec(Request r) {
        var e = r.getExec();
        if (e.hasArgv() && e.getArgv().getArgs(0).equals("internal-error")) {
            return error(ErrorCode.ERROR_CODE_INTERNAL, "fork failed");
        }
        if (e.hasArgv() && e.getArgv().getArgs(0).equals("false")) {
            return Response.newBuilder().setExec(ExecResult.newBuilder().setExitCode(1)).build();
        }
        String out = e.hasArgv() ? String.join(" ", e.getArgv().getArgsList().subList(1, e.getArgv().getArgsCount()))
                : e.getShell();
        return Response.newBuilder().setExec(ExecResult.newBuilder().setExitCode(0)
                .setStdout(ByteString.copyFromUtf8(out + "\n"))).build();
    }

    private Response read(Request r) {
        var q = r.getFileRead();
        byte[] data = files.get(q.getPath());
        if (data == null) {
            return error(ErrorCode.ERROR_CODE_NOT_FOUND, "open " + q.getPath() + ": no such file");
        }
        int length = q.getLength() == 0 ? 32 * 1024 : Math.min(q.getLength(), 32 * 1024);
        int from = (int) Math.min(q.getOffset(), data.length);
        int to = Math.min(data.length, from + length);
        return Response.newBuilder().setFileRead(FileReadChunk.newBuilder().setOffset(from)
                .setData(ByteString.copyFrom(data, from, to - from)).setEof(to == data.length)
                .setFileSize(data.length)).build();
    }

    private synchronized Response write(Request r) {
        var w = r.getFileWrite();
        byte[] old = files.getOrDefault(w.getPath(), new byte[0]);
        int at = w.getAppend() ? old.length : (int) w.getOffset();
        int end = at + w.getData().size();
        byte[] next = java.util.Arrays.copyOf(old, w.getTruncate() ? end : Math.max(old.length, end));
        w.getData().copyTo(next, at);
        files.put(w.getPath(), next);
        return Response.newBuilder().setFileWrite(FileWriteResult.newBuilder().setBytesWritten(w.getData().size())
                .setFileSize(next.length)).build();
    }

    static Response done() {
        return Response.newBuilder().setDone(Done.getDefaultInstance()).build();
    }

    static Response error(ErrorCode code, String message) {
        return Response.newBuilder().setError(Error.newBuilder().setCode(code).setMessage(message)).build();
    }
}
