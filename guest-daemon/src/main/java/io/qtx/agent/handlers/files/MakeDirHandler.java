package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.qtx.agent.handlers.Audit;
import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.policy.PathRules;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.Done;
import io.qtx.proto.MakeDirRequest;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;

/** mkdir, or mkdir -p with {@code parents}. */
public final class MakeDirHandler implements RequestHandler {

    private final PathRules rules;

    public MakeDirHandler(PathRules rules) {
        this.rules = rules;
    }

    @Override
    public RequestKind kind() {
        return RequestKind.REQUEST_KIND_MAKE_DIR;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public String summary(Request request) {
        return "path=" + Audit.quote(request.getMakeDir().getPath());
    }

    @Override
    public Response handle(Request request, RequestContext context) throws Refusal, IOException {
        MakeDirRequest r = request.getMakeDir();
        Path path = rules.check(r.getPath(), PathRules.Access.WRITE, true);
        var mode = PosixFilePermissions.asFileAttribute(FileModes.of(r.getMode(), 0755));
        if (r.getParents()) {
            if (Files.exists(path) && !Files.isDirectory(path)) {
                throw new FileAlreadyExistsException(r.getPath());
            }
            Files.createDirectories(path, mode);
        } else {
            Files.createDirectory(path, mode);
        }
        return Response.newBuilder().setDone(Done.getDefaultInstance()).build();
    }
}
