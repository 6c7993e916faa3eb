package io.qtx.agent.handlers.admin;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.policy.Refusal;
import io.qtx.agent.telemetry.FilesystemReader;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.FsQuiesceResult;
import io.qtx.proto.FsThawResult;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;

/** fs_quiesce and fs_thaw over one {@link FreezeState}. */
public final class FreezeHandlers {

    /** Filesystems not frozen when the host names none: shared or network, where freezing is not ours. */
    private static final Set<String> NOT_LOCAL = Set.of("nfs", "nfs4", "cifs", "smb3", "ceph", "glusterfs", "9p",
            "virtiofs", "squashfs", "iso9660");

    private FreezeHandlers() {
    }

    /** The mount points frozen when the host names none: every writable local real filesystem. */
    public static List<String> freezable(List<FilesystemReader.Mount> mounts) {
        List<String> out = new ArrayList<>();
        for (FilesystemReader.Mount m : mounts) {
            if (!m.readOnly() && !NOT_LOCAL.contains(m.type())) {
                out.add(m.mountpoint());
            }
        }
        return out;
    }

    public static RequestHandler quiesce(FreezeState state, Supplier<List<FilesystemReader.Mount>> mounts,
                                         Duration maxThaw) {
        return new RequestHandler() {
            @Override
            public RequestKind kind() {
                return RequestKind.REQUEST_KIND_FS_QUIESCE;
            }

            @Override
            public boolean blocking() {
                return true;
            }

            @Override
            public String summary(Request request) {
                return "mounts=" + request.getFsQuiesce().getMountpointsList() + " auto_thaw_ms="
                        + request.getFsQuiesce().getAutoThawAfterMs();
            }

            @Override
            public Response handle(Request request, RequestContext context) throws Refusal, IOException {
                var q = request.getFsQuiesce();
                long thawMs = Integer.toUnsignedLong(q.getAutoThawAfterMs());
                if (thawMs == 0 || thawMs > maxThaw.toMillis()) {
                    throw Refusal.badArgument("auto_thaw_after_ms must be 1.." + maxThaw.toMillis() + ", got " + thawMs);
                }
                List<FilesystemReader.Mount> all = mounts.get();
                List<String> targets = new ArrayList<>();
                if (q.getMountpointsCount() == 0) {
                    targets.addAll(freezable(all));
                } else {
                    for (String wanted : q.getMountpointsList()) {
                        if (all.stream().noneMatch(m -> m.mountpoint().equals(wanted))) {
                            throw new Refusal(ErrorCode.ERROR_CODE_NOT_FOUND, wanted + ": not a mounted real filesystem");
                        }
                        if (!targets.contains(wanted)) {
                            targets.add(wanted);
                        }
                    }
                }
                if (targets.isEmpty()) {
                    throw Refusal.badArgument("no freezable filesystem is mounted");
                }
                if (state.isFrozen()) {
                    throw Refusal.badArgument("already frozen: " + state.frozen() + "; thaw first");
                }
                state.freeze(targets, Duration.ofMillis(thawMs));
                return Response.newBuilder().setFsQuiesce(FsQuiesceResult.newBuilder()
                        .addAllFrozen(state.frozen()).setAutoThawUnixMs(state.autoThawUnixMs())).build();
            }
        };
    }

    public static RequestHandler thaw(FreezeState state) {
        return new RequestHandler() {
            @Override
            public RequestKind kind() {
                return RequestKind.REQUEST_KIND_FS_THAW;
            }

            @Override
            public boolean blocking() {
                return false;
            }

            @Override
            public Response handle(Request request, RequestContext context) {
                return Response.newBuilder().setFsThaw(FsThawResult.newBuilder()
                        .addAllThawed(state.thawAll("the host asked"))).build();
            }
        };
    }
}
