package io.qtx.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import io.qtx.node.TestRigs;

/** The optional bearer token. */
class ApiAuthTest {

    @Test
    void withATokenEveryEndpointWantsItAndAcceptsOnlyTheRightOne() throws Exception {
        try (TestRigs.Api rig = TestRigs.api("s3cret", c -> c); HttpClient http = HttpClient.newHttpClient()) {
            for (String path : new String[] {"/api/v1/vms", "/metrics", "/", "/api/v1/vms/vm-1/agent/ping"}) {
                HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(rig.api.baseUrl() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(401, none.statusCode(), path);
                assertTrue(none.body().contains("\"code\":\"UNAUTHORIZED\""), none.body());
                assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
                HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(rig.api.baseUrl() + path))
                        .header("Authorization", "Bearer s3cre").build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, wrong.statusCode(), path);
                HttpResponse<String> right = http.send(HttpRequest.newBuilder(URI.create(rig.api.baseUrl() + path))
                        .header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, right.statusCode(), path + ": " + right.body());
            }
        }
    }
}
