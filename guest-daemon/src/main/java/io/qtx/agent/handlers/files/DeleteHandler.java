package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.qtx.agent.handlers.Audit;
import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.policy.PathRules;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.DeleteRequest;
import io.qtx.proto.Done;
import io.qtx.proto.Error;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;

/**
 * Deletes a file, a link (never its target) or a directory; a non-empty directory only with
 * {@code recursive}, and then as {@link TreeDelete} does it: every path checked, no link
 * followed, no other filesystem entered. "/" is never deleted.
 */
public final class DeleteHandler implements RequestHandler {

    private final PathRules rules;
    private final TreeDelete tree;

    public DeleteHandler(PathRules rules) {
        this(rules, TreeDelete.Devices.system(), Files::delete);
    }

    DeleteHandler(PathRules rules, TreeDelete.Devices devices, TreeDelete.Unlink unlink) {
        this.rules = rules;
        this.tree = new TreeDelete(rules, devices, unlink);
    }

    @Override
    public RequestKind kind() {
        return RequestKind.REQUEST_KIND_DELETE;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public String summary(Request request) {
        return "path=" + Audit.quote(request.getDelete().getPath())
                + (request.getDelete().getRecursive() ? " recursive" : "");
    }

    @Override
    public Response handle(Request request, RequestContext context) throws Refusal, IOException {
        DeleteRequest r = request.getDelete();
        Path path = rules.check(r.getPath(), PathRules.Access.WRITE, false);
        if (path.getParent() == null) {
            throw Refusal.notAllowed("the root directory is never deleted");
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(r.getPath());
        }
        if (r.getRecursive() && Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            TreeDelete.Stopped stopped = tree.delete(path, context.deadlineNanos());
            if (stopped != null) {
                return Response.newBuilder().setError(Error.newBuilder().setCode(stopped.code())
                        .setMessage(stopped.message()).setDeleteReport(stopped.report())).build();
            }
        } else {
            Files.delete(path);
        }
        return Response.newBuilder().setDone(Done.getDefaultInstance()).build();
    }
}
