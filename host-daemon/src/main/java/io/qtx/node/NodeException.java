package io.qtx.node;

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
        UNKNOWN_VM(404),
        NOT_FOUND(404),
        AGENT_NOT_READY(409),
        BODY_TOO_LARGE(413),
        AGENT_ERROR(502),
        AGENT_DISCONNECTED(502),
        /** The agent's instance id changed: the request was lost with the old process. */
        AGENT_RESTARTED(502),
        AGENT_BUSY(503),
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

    public NodeException(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public Code code() {
        return code;
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
