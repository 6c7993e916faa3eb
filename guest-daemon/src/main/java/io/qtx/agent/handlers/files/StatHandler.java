package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.file.Path;

import io.qtx.agent.handlers.Audit;
import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.handlers.Users;
import io.qtx.agent.policy.PathRules;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;
import io.qtx.proto.StatRequest;

/** stat or lstat of one path; the reply names it as the host wrote it. */
public final class StatHandler implements RequestHandler {

    private final PathRules rules;
    private final Users users;

    public StatHandler(PathRules rules, Users users) {
        this.rules = rules;
        this.users = users;
    }

    @Override
    public RequestKind kind() {
        return RequestKind.REQUEST_KIND_STAT;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public String summary(Request request) {
        return "path=" + Audit.quote(request.getStat().getPath());
    }

    @Override
    public Response handle(Request request, RequestContext context) throws Refusal, IOException {
        StatRequest s = request.getStat();
        Path path = rules.check(s.getPath(), PathRules.Access.READ, !s.getNoFollow());
        return Response.newBuilder().setStat(FileStats.of(path, s.getPath(), !s.getNoFollow(), users)).build();
    }
}
