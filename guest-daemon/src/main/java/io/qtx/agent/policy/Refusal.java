package io.qtx.agent.policy;

import io.qtx.proto.ErrorCode;

/** A request that must not go ahead, with the protocol error it is answered with. */
public final class Refusal extends Exception {

    private final ErrorCode code;

    public Refusal(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public static Refusal notAllowed(String message) {
        return new Refusal(ErrorCode.ERROR_CODE_NOT_ALLOWED, message);
    }

    public static Refusal badArgument(String message) {
        return new Refusal(ErrorCode.ERROR_CODE_BAD_ARGUMENT, message);
    }

    public ErrorCode code() {
        return code;
    }
}
