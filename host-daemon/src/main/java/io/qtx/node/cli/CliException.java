package io.qtx.node.cli;

import java.util.Map;


/** A failure qxctl reports in one line and turns into its exit status. */
final class CliException extends Exception {

    final Exit exit;
    /** The API's JSON error, for --json; null for local failures. */
    final String json;

    CliException(Exit exit, String message) {
        this(exit, message, null);
    }

    CliException(Exit exit, String message, String json) {
        super(message, null, false, false);
        this.exit = exit;
        this.json = json;
    }

    static CliException fromApi(int status, String body) {
        String message = "HTTP " + status;
        Exit exit = Exit.forHttp(status);
        try {
            Map<String, Object> s = Json.parse(body);
            String m = Json.text(s, "error.message");
            String code = Json.str(s, "error.code");
            if (!m.isEmpty()) {
                message = code + ": " + m;
            }
            if (code.equals("NOT_FOUND") && status == 404) {
                exit = Exit.NOT_FOUND; // a missing guest file, not a missing VM
            }
        } catch (CliException e) {
            // not our JSON; keep the status
        }
        return new CliException(exit, message, body);
    }
}
