package io.qtx.node;

import io.qtx.proto.DeleteReport;

/**
 * A failure with a stable code that the HTTP API reports as JSON and qxctl maps to its exit
 * status. Thrown and completed-exceptionally alike; carries no stack trace when it only
 * reports an agent's answer or a timeout, which happen in normal operation.
 */
public final class NodeException extends RuntimeException {

    /** The stable codes; their HTTP status is part of the API. */
    public enum Code {
        BAD_INPUT(400),
        UNAUTHORIZED(401),
        /** A Host or Origin the API does not serve (DNS rebinding, cross-site requests). */
        FORBIDDEN(403),
        UNKNOWN_VM(404),
        NOT_FOUND(404),
        /** The request's headers or body did not arrive within their deadline. */
        REQUEST_TIMEOUT(408),
        AGENT_NOT_READY(409),
        BODY_TOO_LARGE(413),
        /** A JSON endpoint called without {@code Content-Type: application/json}. */
        UNSUPPORTED_MEDIA_TYPE(415),
        /** The request's headers are over the size limit. */
        HEADERS_TOO_LARGE(431),
        AGENT_ERROR(502),
        AGENT_DISCONNECTED(502),
        /** The agent's instance id changed: the request was lost with the old process. */
        AGENT_RESTARTED(502),
        AGENT_BUSY(503),
        /** Too many connections open, in all or from this client's address. */
        TOO_MANY_CONNECTIONS(503),
        AGENT_TIMEOUT(504),
        /** No pong within the probe bound: the agent is dead, stopped, or the guest hung. */
        AGENT_UNRESPONSIVE(504),
        INTERNAL(500);

        private final int httpStatus;

        Code(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Code code;
    private final DeleteReport deleteReport;

    public NodeException(Code code, String message) {
        this(code, message, null);
    }

    /** A failure that carries what a recursive delete did before it stopped. */
    public NodeException(Code code, String message, DeleteReport deleteReport) {
        super(message, null, false, false);
        this.code = code;
        this.deleteReport = deleteReport;
    }

    public Code code() {
        return code;
    }

    /** What the agent deleted and kept before it stopped, or null. */
    public DeleteReport deleteReport() {
        return deleteReport;
    }

    /** The NodeException behind {@code t} (unwrapping futures' wrappers), or an INTERNAL one. */
    public static NodeException of(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof NodeException n) {
            return n;
        }
        if (c instanceof IllegalArgumentException) {
            return new NodeException(Code.BAD_INPUT, c.getMessage());
        }
        return new NodeException(Code.INTERNAL, String.valueOf(c));
    }
}
