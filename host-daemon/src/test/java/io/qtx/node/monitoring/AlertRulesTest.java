package io.qtx.node.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The alert rules as Prometheus loads them, and their unit tests. */
class AlertRulesTest {

    static final Path DIR = Path.of("packaging/monitoring");

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Tools.Run r = Tools.run(List.of(Tools.require("promtool").toString(), "check", "rules",
                DIR.resolve("qtx-alerts.yml").toString()), "", 60);
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("SUCCESS: 6 rules found"), r.output());
    }

    @Test
    void eachAlertFiresWhenItShouldAndNotBefore() throws Exception {
        Tools.Run r = Tools.run(List.of(Tools.require("promtool").toString(), "test", "rules",
                DIR.resolve("qtx-alerts.test.yml").toString()), "", 60);
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }
}
