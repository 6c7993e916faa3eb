package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qx-node as a process: its token on first start, and the configurations it refuses to start with. */
class QxNodeTest {

    @TempDir
    Path dir;

    private static ProcessBuilder qxNode(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-cp",
                System.getProperty("java.class.path"), QxNode.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    private static String run(ProcessBuilder pb, int expectedExit) throws Exception {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(expectedExit, p.exitValue(), out);
        return out;
    }

    @Test
    void theFirstStartCreatesAnOwnerOnlyTokenThatTheApiThenRequires() throws Exception {
        Path token = dir.resolve("state/qx-node.token");
        Process p = qxNode("--config", "/dev/null", "--socket_dir", dir.toString(), "--api.listen", "127.0.0.1:0",
                "--api.token_file", token.toString()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             HttpClient http = HttpClient.newHttpClient()) {
            String url = null;
            String line;
            List<String> seen = new ArrayList<>();
            Pattern api = Pattern.compile(".*API at (http://\\S+)/api/v1 .*");
            while (url == null && (line = out.readLine()) != null) {
                seen.add(line);
                Matcher m = api.matcher(line);
                if (m.matches()) {
                    url = m.group(1);
                }
            }
            assertTrue(url != null, "qx-node did not start: " + seen);
            assertTrue(seen.stream().anyMatch(l -> l.contains("created the API token in " + token)), seen.toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
            String secret = Files.readString(token).strip();
            assertTrue(secret.matches("[A-Za-z0-9_-]{43}"), secret);
            HttpRequest.Builder vms = HttpRequest.newBuilder(URI.create(url + "/api/v1/vms"));
            assertEquals(401, http.send(vms.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, http.send(vms.header("Authorization", "Bearer " + secret).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        } finally {
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        String again = run(qxNode("--config", "/dev/null", "--api.token_file", token.toString(), "--check-config"), 0);
        assertTrue(again.contains("token " + token + ")"), "the second start keeps the token: " + again);
    }

    @Test
    void anApiBeyondLoopbackWithoutAnOwnerOnlyTokenFileIsAConfigurationError() throws Exception {
        Path conf = dir.resolve("node.conf");
        Files.writeString(conf, "socket_dir = " + dir + "\napi.listen = 0.0.0.0:8710\n");
        String out = run(qxNode("--config", conf.toString(), "--check-config"), 2);
        assertTrue(out.contains(conf + ":2: api.listen: '0.0.0.0:8710' is reachable from other hosts"), out);
        out = run(qxNode("--config", conf.toString()), 2);
        assertTrue(out.contains(conf + ":2: api.listen:"), "the daemon itself refuses too: " + out);

        Path token = dir.resolve("token");
        Files.writeString(token, "0123456789abcdef0123\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r-----"));
        Files.writeString(conf, "socket_dir = " + dir + "\napi.listen = 0.0.0.0:8710\napi.token_file = " + token + "\n");
        out = run(qxNode("--config", conf.toString(), "--check-config"), 2);
        assertTrue(out.contains(conf + ":3: api.token_file: " + token + " has mode rw-r-----"), out);
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        out = run(qxNode("--config", conf.toString(), "--check-config"), 0);
        assertTrue(out.contains("configuration OK"), out);
    }
}
