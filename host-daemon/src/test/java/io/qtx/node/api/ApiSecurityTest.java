package io.qtx.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.qtx.node.NodeConfig;
import io.qtx.node.TestRigs;

/** The token on every endpoint, and the browser attacks: DNS rebinding, cross-site posts, forms. */
class ApiSecurityTest {

    private static TestRigs.Api rig;
    private static HttpClient http;
    private static String self;

    @BeforeAll
    static void start() throws Exception {
        rig = TestRigs.api(c -> c);
        http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        self = "127.0.0.1:" + rig.api.port();
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        rig.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder bare(String path) {
        return HttpRequest.newBuilder(java.net.URI.create(rig.api.baseUrl() + path));
    }

    @Test
    void everyEndpointWantsTheTokenAndTheSchemeIsCaseInsensitive() throws Exception {
        for (String path : new String[] {"/api/v1/vms", "/metrics", "/api/v1/vms/vm-1/agent/ping", "/api/v1/events",
            "/api/v1/vms/vm-1/files?path=/x", "/api/v1/nothing"}) {
            HttpResponse<String> none = send(bare(path));
            assertEquals(401, none.statusCode(), path);
            assertTrue(none.body().contains("\"code\":\"UNAUTHORIZED\""), none.body());
            assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals(401, send(bare(path).header("Authorization", "Bearer " + TestRigs.TOKEN + "x")).statusCode());
            assertEquals(401, send(bare(path).header("Authorization", "Basic " + TestRigs.TOKEN)).statusCode());
        }
        for (String scheme : new String[] {"Bearer ", "bearer ", "BEARER  "}) {
            HttpResponse<String> r = send(bare("/api/v1/vms").header("Authorization", scheme + TestRigs.TOKEN));
            assertEquals(200, r.statusCode(), scheme + ": " + r.body());
        }
        assertEquals(401, send(bare("/api/v1/vms/vm-1/exec").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"shell\":\"id\"}"))).statusCode());
    }

    @Test
    void theApiDoesNotStartWithoutAToken() throws Exception {
        NodeConfig noToken = NodeConfig.defaults().withHttp("127.0.0.1", 0, null);
        assertThrows(IllegalArgumentException.class, () -> ApiServer.start(null, noToken));
    }

    @Test
    void aHostThatIsNotOursIsRefused() throws Exception {
        String evil = RawHttp.exchange("127.0.0.1", rig.api.port(), RawHttp.request("GET", "/api/v1/vms",
                "evil.example:" + rig.api.port(), "", ""));
        assertEquals(403, RawHttp.status(evil), evil);
        assertTrue(evil.contains("\"code\":\"FORBIDDEN\""), evil);
        for (String host : new String[] {self, "localhost:" + rig.api.port(), "LocalHost", "localhost."}) {
            String ok = RawHttp.exchange("127.0.0.1", rig.api.port(), RawHttp.request("GET", "/api/v1/vms", host, "", ""));
            assertEquals(200, RawHttp.status(ok), host + ": " + ok);
        }
        String none = RawHttp.exchange("127.0.0.1", rig.api.port(), "GET /api/v1/vms HTTP/1.0\r\nAuthorization: Bearer "
                + TestRigs.TOKEN + "\r\n\r\n");
        assertEquals(403, RawHttp.status(none), none);
    }

    @Test
    void hostNamesAreComparedCanonically() {
        assertEquals("0:0:0:0:0:0:0:1", ApiGuard.hostName("[::1]:8710"));
        assertEquals("0:0:0:0:0:0:0:1", ApiGuard.hostName("[0::1]"));
        assertEquals("127.0.0.1", ApiGuard.hostName("127.0.0.1:80"));
        assertEquals("localhost", ApiGuard.hostName("LocalHost.:8710"));
        assertEquals("evil.example", ApiGuard.hostName("evil.example"));
    }

    @Test
    void aCrossSitePostIsRefusedEvenAsPlainText() throws Exception {
        // The attack as a browser sends it: a "simple" request needs no preflight.
        String attack = RawHttp.exchange("127.0.0.1", rig.api.port(), RawHttp.request("POST",
                "/api/v1/vms/vm-1/power/reboot", self, "Origin: http://evil.example\r\nContent-Type: text/plain\r\n", "{}"));
        assertEquals(403, RawHttp.status(attack), attack);
        String json = RawHttp.exchange("127.0.0.1", rig.api.port(), RawHttp.request("POST",
                "/api/v1/vms/vm-1/exec", self, "Origin: http://evil.example\r\nContent-Type: application/json\r\n",
                "{\"shell\":\"id\"}"));
        assertEquals(403, RawHttp.status(json), json);
        String own = RawHttp.exchange("127.0.0.1", rig.api.port(), RawHttp.request("POST",
                "/api/v1/vms/vm-1/exec", self, "Origin: http://" + self + "\r\nContent-Type: application/json\r\n",
                "{\"shell\":\"id\"}"));
        assertEquals(200, RawHttp.status(own), own);
        String read = RawHttp.exchange("127.0.0.1", rig.api.port(), RawHttp.request("GET", "/api/v1/vms", self,
                "Origin: http://evil.example\r\n", ""));
        assertEquals(200, RawHttp.status(read), "a read is not refused for its Origin (no CORS lets a page see it)");
    }

    @Test
    void jsonEndpointsWantTheJsonMediaType() throws Exception {
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", null}) {
            HttpRequest.Builder b = rig.request("/api/v1/vms/vm-1/power/reboot").POST(HttpRequest.BodyPublishers.ofString(""));
            if (type != null) {
                b.header("Content-Type", type);
            }
            HttpResponse<String> r = send(b);
            assertEquals(415, r.statusCode(), type + ": " + r.body());
            assertTrue(r.body().contains("\"code\":\"UNSUPPORTED_MEDIA_TYPE\""), r.body());
        }
        HttpResponse<String> ok = send(rig.request("/api/v1/vms/vm-1/exec").header("Content-Type",
                "Application/JSON; charset=utf-8").POST(HttpRequest.BodyPublishers.ofString("{\"shell\":\"id\"}")));
        assertEquals(200, ok.statusCode(), ok.body());
    }

    @Test
    void aBrowserSignsInWithTheTokenAndItsCookieOpensOnlyTheStatusPage() throws Exception {
        HttpResponse<String> page = send(bare("/"));
        assertEquals(401, page.statusCode());
        assertTrue(page.body().contains("<form method=post action=/login>"), page.body());
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));

        HttpResponse<String> wrong = send(bare("/login").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=nope")));
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());

        HttpResponse<String> in = send(bare("/login").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + TestRigs.TOKEN)));
        assertEquals(303, in.statusCode(), in.body());
        assertEquals("/", in.headers().firstValue("Location").orElse(""));
        String setCookie = in.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
        assertTrue(!setCookie.contains(TestRigs.TOKEN), "the cookie is not the token");
        String cookie = setCookie.split(";", 2)[0];

        HttpResponse<String> status = send(bare("/").header("Cookie", "other=1; " + cookie));
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("<title>qx-node</title>"), status.body());
        HttpResponse<String> data = send(bare("/status.json").header("Cookie", cookie));
        assertEquals(200, data.statusCode(), "the page reads its data with the cookie");
        assertTrue(data.body().contains("\"id\":\"vm-1\""), data.body());
        assertEquals(401, send(bare("/status.json")).statusCode(), "not without it");
        assertEquals(401, send(bare("/api/v1/vms").header("Cookie", cookie)).statusCode(), "the cookie is no API key");
        assertEquals(401, send(bare("/metrics").header("Cookie", cookie)).statusCode());
        assertEquals(200, send(rig.request("/")).statusCode(), "a bearer token opens the page too");

        String crossSite = RawHttp.exchange("127.0.0.1", rig.api.port(), "POST /login HTTP/1.1\r\nHost: " + self
                + "\r\nOrigin: http://evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                + ("token=" + TestRigs.TOKEN).length() + "\r\n\r\ntoken=" + TestRigs.TOKEN);
        assertEquals(403, RawHttp.status(crossSite), crossSite);
        assertEquals(415, send(bare("/login").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + TestRigs.TOKEN))).statusCode());
    }

    @Test
    void metricsAnswerWithoutTheTokenOnlyWhenConfiguredSo() throws Exception {
        try (TestRigs.Api open = TestRigs.api(c -> c.withAccess(c.access().withMetricsPublic(true)))) {
            HttpResponse<String> m = send(HttpRequest.newBuilder(java.net.URI.create(open.api.baseUrl() + "/metrics")));
            assertEquals(200, m.statusCode());
            assertTrue(m.body().contains("qtx_node_vm_ready{vm=\"vm-1\"} 1"), m.body());
            assertEquals(401, send(HttpRequest.newBuilder(java.net.URI.create(open.api.baseUrl() + "/api/v1/vms")))
                    .statusCode());
        }
    }

    @Test
    void refusalsAreCounted() throws Exception {
        send(bare("/api/v1/vms"));
        String m = send(rig.request("/metrics")).body();
        assertTrue(m.matches("(?s).*qtx_node_http_refused_total\\{reason=\"unauthorized\"} [1-9]\\d*\n.*"), m);
    }
}
