package io.qtx.node.monitoring;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.qtx.testkit.Await;

/**
 * Debian's chromium, headless, driven through the DevTools protocol over the JDK's own
 * WebSocket client: navigate, evaluate JavaScript in the page, take a screenshot. One page,
 * a throw-away profile directory, gone on close.
 */
final class Chromium implements AutoCloseable {

    private final Path profile;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    private final WebSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonObject>> waiting = new ConcurrentHashMap<>();

    Chromium() throws Exception {
        Path binary = Tools.require("chromium");
        profile = Files.createTempDirectory("qtx-chromium");
        process = new ProcessBuilder(binary.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--window-size=1400,700", "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        process.getOutputStream().close();
        // Chromium writes the port it chose, then the browser's path, to this file once it listens.
        Path portFile = profile.resolve("DevToolsActivePort");
        Duration start = Duration.ofSeconds(60);
        Await.until("chromium listening (its DevToolsActivePort)", start, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
            }
            return Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2;
        });
        String port = Files.readAllLines(portFile).get(0).strip();
        String pageUrl = Await.value("chromium's first page", start, () -> pageUrl(port), url -> url != null);
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new Replies()).get(30, TimeUnit.SECONDS);
    }

    /** The debugger address of the browser's first page, or null while it has none. */
    private String pageUrl(String port) throws Exception {
        String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (JsonElement t : JsonParser.parseString(list).getAsJsonArray()) {
            if (t.getAsJsonObject().get("type").getAsString().equals("page")) {
                return t.getAsJsonObject().get("webSocketDebuggerUrl").getAsString();
            }
        }
        return null;
    }

    /** Collects a message's fragments and completes the command it answers. */
    private final class Replies implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                JsonObject m = JsonParser.parseString(text.toString()).getAsJsonObject();
                text.setLength(0);
                if (m.has("id")) {
                    CompletableFuture<JsonObject> f = waiting.remove(m.get("id").getAsLong());
                    if (f != null) {
                        if (m.has("error")) {
                            f.completeExceptionally(new AssertionError("DevTools: " + m.get("error")));
                        } else {
                            f.complete(m.getAsJsonObject("result"));
                        }
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }

    JsonObject call(String method, JsonObject params) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        JsonObject m = new JsonObject();
        m.addProperty("id", id);
        m.addProperty("method", method);
        m.add("params", params == null ? new JsonObject() : params);
        socket.sendText(m.toString(), true).get(10, TimeUnit.SECONDS);
        return answer.get(30, TimeUnit.SECONDS);
    }

    void navigate(String url) throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("url", url);
        call("Page.navigate", p);
    }

    /** Evaluates {@code expression} in the page; its value as JSON (null when undefined). */
    JsonElement eval(String expression) throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("expression", expression);
        p.addProperty("returnByValue", true);
        p.addProperty("awaitPromise", true);
        JsonObject r = call("Runtime.evaluate", p);
        if (r.has("exceptionDetails")) {
            throw new AssertionError(expression + " threw: " + r.get("exceptionDetails"));
        }
        return r.getAsJsonObject("result").get("value");
    }

    /** Evaluates {@code expression} until its value satisfies {@code ok}, at most {@code wait}. */
    JsonElement await(String expression, Predicate<JsonElement> ok, Duration wait) throws Exception {
        return Await.value("in the page: " + expression, wait, () -> {
            try {
                return eval(expression);
            } catch (AssertionError e) {
                return null; // the page is still loading or navigating
            }
        }, v -> v != null && !v.isJsonNull() && ok.test(v));
    }

    void screenshot(Path png) throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("format", "png");
        p.addProperty("captureBeyondViewport", true);
        String data = call("Page.captureScreenshot", p).get("data").getAsString();
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(data));
    }

    @Override
    public void close() throws Exception {
        try {
            socket.abort();
        } finally {
            http.close();
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            // Chromium's helpers may still write into the profile for a moment.
            for (int attempt = 0; attempt < 5; attempt++) {
                try (Stream<Path> all = Files.walk(profile)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                    break;
                } catch (IOException e) {
                    Thread.sleep(200);
                }
            }
        }
    }
}
