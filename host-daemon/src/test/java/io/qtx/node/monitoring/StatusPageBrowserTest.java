package io.qtx.node.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.qtx.node.TestRigs;

/**
 * The status page in a real browser (headless Chromium): signed in with the token as an
 * operator would, it shows every VM in its state with the figures the API reports, and when
 * a VM's agent dies the page follows from the event stream without reloading. The screenshot
 * lands in target/status-page.png (the README's is a copy of one).
 */
class StatusPageBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    static final Path SCREENSHOT = Path.of("target/status-page.png");

    @Test
    void thePageShowsWhatTheApiReportsAndFollowsAStateChange() throws Exception {
        try (TestRigs.Api rig = TestRigs.monitored(); HttpClient http = HttpClient.newHttpClient();
             Chromium browser = new Chromium()) {
            browser.navigate(rig.api.baseUrl() + "/");
            browser.await("document.querySelector('input[name=token]') !== null", JsonElement::getAsBoolean, WAIT);
            browser.eval("document.querySelector('input[name=token]').value = '" + TestRigs.TOKEN + "';"
                    + " document.querySelector('form').submit(); true");
            browser.await("document.getElementById('live') && document.getElementById('live').textContent",
                    v -> v.getAsString().equals("live"), WAIT);

            JsonObject api = JsonParser.parseString(get(http, rig, "/api/v1/vms")).getAsJsonObject();
            assertEquals(4, api.getAsJsonArray("vms").size());
            for (JsonElement e : api.getAsJsonArray("vms")) {
                JsonObject vm = e.getAsJsonObject();
                String id = vm.get("id").getAsString();
                if (!id.equals("vm-quiet")) { // vm-quiet may move between two states meanwhile
                    assertEquals(vm.get("state").getAsString(), field(browser, id, "state"), id);
                }
            }
            assertEquals("handshaking", field(browser, "vm-none", "state"));
            assertTrue(!field(browser, "vm-quiet", "state").equals("ready"));

            JsonObject vm1 = JsonParser.parseString(get(http, rig, "/api/v1/vms/vm-1")).getAsJsonObject();
            assertEquals(vm1.getAsJsonObject("agent_hello").get("software_version").getAsString(),
                    field(browser, "vm-1", "agent_version"));
            assertEquals(vm1.get("message").getAsString(), field(browser, "vm-1", "message"));
            double rtt = vm1.get("last_rtt_ms").getAsDouble();
            browser.await(cell("vm-1", "rtt"), v -> Math.abs(number(v.getAsString()) - rtt) < 0.006, WAIT);

            // Memory and disk as the API's latest report gives them (the fake agent's are constant).
            JsonObject report = JsonParser.parseString(get(http, rig, "/api/v1/vms/vm-1/telemetry")).getAsJsonObject()
                    .getAsJsonObject("report");
            JsonObject mem = report.getAsJsonObject("memory");
            double memory = 100.0 * (mem.get("total_bytes").getAsDouble() - mem.get("available_bytes").getAsDouble())
                    / mem.get("total_bytes").getAsDouble();
            double total = 0;
            double used = 0;
            for (JsonElement f : report.getAsJsonArray("filesystems")) {
                total += f.getAsJsonObject().get("total_bytes").getAsDouble();
                used += f.getAsJsonObject().has("used_bytes") ? f.getAsJsonObject().get("used_bytes").getAsDouble() : 0;
            }
            assertEquals(String.format(java.util.Locale.ROOT, "%.1f %%", memory), field(browser, "vm-1", "mem"));
            assertEquals(String.format(java.util.Locale.ROOT, "%.1f %%", 100 * used / total), field(browser, "vm-1", "disk"));
            // The sparklines draw the telemetry history: more than one point once a few reports came.
            browser.await("document.querySelector('tr[data-vm=\"vm-1\"] .spark.cpu').dataset.points",
                    v -> Integer.parseInt(v.getAsString()) > 3, WAIT);
            assertEquals("0", field(browser, "vm-1", "resyncs"));
            browser.screenshot(SCREENSHOT);
            assertTrue(Files.size(SCREENSHOT) > 10_000, "a screenshot of " + Files.size(SCREENSHOT) + " bytes");

            // A page that reloaded would lose this mark; one that follows events keeps it.
            browser.eval("window.qtxMark = 'kept'; true");
            rig.stopAgent("vm-1");
            browser.await(cell("vm-1", "state"), v -> !v.getAsString().equals("ready"), WAIT);
            assertEquals("kept", browser.eval("window.qtxMark").getAsString(), "the page reloaded");
            assertTrue(!field(browser, "vm-1", "message").isEmpty());
        }
    }

    private static String cell(String vm, String field) {
        return "(document.querySelector('tr[data-vm=\"" + vm + "\"] [data-field=\"" + field + "\"]') || {}).textContent";
    }

    private static String field(Chromium browser, String vm, String field) throws Exception {
        return browser.await(cell(vm, field), v -> true, WAIT).getAsString();
    }

    private static double number(String text) {
        Matcher m = Pattern.compile("[0-9]+(\\.[0-9]+)?").matcher(text);
        return m.find() ? Double.parseDouble(m.group()) : Double.NaN;
    }

    private static String get(HttpClient http, TestRigs.Api rig, String path) throws Exception {
        HttpResponse<String> r = http.send(rig.request(path).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }
}
