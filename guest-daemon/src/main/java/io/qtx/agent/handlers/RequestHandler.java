package io.qtx.agent.handlers;

import java.io.IOException;

import io.qtx.agent.policy.Refusal;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;

/**
 * One kind of request. Handlers never see the channel: they get the request, return the
 * response (or throw a {@link Refusal} or an IOException, which the dispatcher turns into the
 * protocol's error), and the dispatcher sends it.
 */
public interface RequestHandler {

    RequestKind kind();

    /** True when the work may block (processes, disk, freeze): it then runs on the worker pool. */
    boolean blocking();

    Response handle(Request request, RequestContext context) throws Refusal, IOException;

    /** What the audit line says about the request. Never secrets, never file contents. */
    default String summary(Request request) {
        return "";
    }
}
