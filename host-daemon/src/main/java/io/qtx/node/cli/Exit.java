package io.qtx.node.cli;

/** qxctl's exit statuses; --help prints this table. */
enum Exit {
    OK(0, "success"),
    PROBLEM(1, "the command ran and found a problem (doctor: the agent is not healthy)"),
    USAGE(2, "bad command line"),
    BAD_INPUT(65, "qx-node refused the input (HTTP 400)"),
    NOT_FOUND(66, "no such file or directory in the guest (HTTP 404 NOT_FOUND)"),
    UNREACHABLE(69, "cannot reach qx-node (not running, wrong --url)"),
    INTERNAL(70, "qx-node failed unexpectedly (HTTP 500) or answered nonsense"),
    UNKNOWN_VM(71, "no such VM (HTTP 404)"),
    NOT_READY(72, "the VM's agent is not ready (HTTP 409)"),
    TIMEOUT(73, "the agent did not answer in time (HTTP 504)"),
    AGENT_ERROR(74, "the agent answered with an error or went away (HTTP 502/503)"),
    LOCAL_IO(75, "a local file could not be read or written"),
    UNAUTHORIZED(77, "qx-node refused us: no or wrong token (HTTP 401), or a Host/Origin it does not serve (403)");

    final int status;
    final String meaning;

    Exit(int status, String meaning) {
        this.status = status;
        this.meaning = meaning;
    }

    static Exit forHttp(int status) {
        return switch (status) {
            case 400, 408, 413, 415, 431 -> BAD_INPUT;
            case 401, 403 -> UNAUTHORIZED;
            case 404 -> UNKNOWN_VM;
            case 409 -> NOT_READY;
            case 502, 503 -> AGENT_ERROR;
            case 504 -> TIMEOUT;
            default -> INTERNAL;
        };
    }
}
