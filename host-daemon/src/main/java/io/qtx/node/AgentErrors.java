package io.qtx.node;

import io.qtx.proto.Error;

/** How an agent's Error maps onto the API's stable codes. */
final class AgentErrors {

    private AgentErrors() {
    }

    static NodeException toNodeException(String vm, Error error) {
        NodeException.Code code = switch (error.getCode()) {
            case ERROR_CODE_BAD_ARGUMENT -> NodeException.Code.BAD_INPUT;
            case ERROR_CODE_NOT_FOUND -> NodeException.Code.NOT_FOUND;
            case ERROR_CODE_TIMEOUT -> NodeException.Code.AGENT_TIMEOUT;
            default -> NodeException.Code.AGENT_ERROR;
        };
        return new NodeException(code, vm + ": agent answered " + error.getCode().name().replace("ERROR_CODE_", "")
                + ": " + error.getMessage(), error.hasDeleteReport() ? error.getDeleteReport() : null);
    }
}
