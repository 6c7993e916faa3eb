package io.qtx.agent.handlers;

import java.lang.System.Logger.Level;

/**
 * One line per request: what, from which session, the outcome and how long it took. The
 * line carries the handler's summary (a path, a command name), never a request's secrets.
 */
public final class Audit {

    private static final System.Logger LOG = System.getLogger("io.qtx.agent.audit");

    /** The last line written, for tests that check what would reach the journal. */
    private volatile String last = "";

    public void record(String session, long id, String kind, String summary, String outcome, long durationMs) {
        String line = "audit session=" + session + " id=" + id + " request=" + kind + " outcome=" + outcome
                + " duration_ms=" + durationMs + (summary.isEmpty() ? "" : " " + summary);
        last = line;
        LOG.log(outcome.equals("ok") ? Level.INFO : Level.WARNING, line);
    }

    /** A value for an audit line: quoted, with quotes, backslashes and line breaks escaped. */
    public static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    public String last() {
        return last;
    }
}
