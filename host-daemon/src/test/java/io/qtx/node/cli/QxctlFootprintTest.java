package io.qtx.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.node.TestRigs;

/**
 * What a qxctl command loads, in a JVM of its own against a live qx-node: none of the HTTP/2, TLS,
 * protobuf or gson machinery that once made {@code qxctl vms} load 2,981 classes. (How long it
 * takes is measured by build-scripts/measure-qxctl, never asserted here.)
 */
class QxctlFootprintTest {

    private static final List<String> HEAVY = List.of("java.net.http.", "jdk.internal.net.http.", "sun.security.ssl.",
            "com.google.protobuf.", "com.google.gson.");

    @TempDir
    Path tmp;

    @Test
    void vmsLoadsNoHttp2TlsProtobufOrGson() throws Exception {
        try (TestRigs.Api rig = TestRigs.api(c -> c)) {
            Path log = tmp.resolve("classes.log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xlog:class+load=info:file=" + log, "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), Qxctl.class.getName(), "vms")
                    .redirectErrorStream(true);
            pb.environment().put("QXCTL_URL", rig.api.baseUrl());
            pb.environment().put("QXCTL_TOKEN", TestRigs.TOKEN);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "qxctl ended");
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.lines().anyMatch(l -> l.startsWith("vm-1 ")), out);
            List<String> loaded = Files.readAllLines(log).stream().filter(l -> l.contains("class,load")).toList();
            assertTrue(loaded.size() > 400, "the log holds every class: " + loaded.size());
            List<String> heavy = loaded.stream().filter(l -> HEAVY.stream().anyMatch(h -> l.contains(" " + h))).toList();
            assertEquals(List.of(), heavy);
        }
    }
}
