package io.qtx.agent.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.spi.ToolProvider;

import io.qtx.agent.Main;
import io.qtx.epoll.EventLoop;
import io.qtx.ffi.Fd;
import io.qtx.framing.FrameReader;
import io.qtx.kit.Backoff;
import io.qtx.proto.Envelope;
import io.qtx.qemu.GuestProgram;
import io.qtx.session.Session;

/**
 * The agent as a guest program: a runtime jlinked with the modules the agent needs (the
 * harness's own runtime lacks java.logging and jdk.unsupported), the agent's class path, and
 * a script that starts it in the background and, at each "qtx-touch NAME" from the test,
 * prints its CPU ticks and RSS on the console.
 */
final class AgentVmImage {

    static final String MODULES = "java.base,java.logging,jdk.unsupported";
    static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xmx96m", "-Xss512k",
            "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    private AgentVmImage() {
    }

    /**
     * @param holdPortFirst another process holds the port open until the test sends
     *     "qtx-touch release", so the agent meets EBUSY first
     */
    static GuestProgram program(boolean holdPortFirst, String... agentArgs) throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("/opt/agent-jre", runtime());
        List<String> classPath = new ArrayList<>();
        int i = 0;
        for (Class<?> c : List.of(Main.class, Backoff.class, Session.class, FrameReader.class, EventLoop.class,
                Fd.class, Envelope.class, com.google.protobuf.Message.class)) {
            Path entry = codeSource(c);
            if (!files.containsValue(entry)) {
                String guest = "/qtx/app/" + i++ + "-" + entry.getFileName();
                files.put(guest, entry);
                classPath.add(guest);
            }
        }
        StringBuilder command = new StringBuilder("/opt/agent-jre/bin/java");
        JVM_OPTIONS.forEach(o -> command.append(' ').append(o));
        command.append(" -cp ").append(String.join(":", classPath)).append(' ').append(Main.class.getName());
        for (String a : agentArgs) {
            command.append(' ').append(a);
        }
        String holder = holdPortFirst
                ? "( exec 3<>\"$QTX_PORT\"; echo \"qtx-holder has $QTX_PORT\"; while [ ! -e /tmp/release ]; do sleep 1; done ) &\n"
                        + "sleep 1\n"
                : "";
        String script = holder + command + " &\n"
                + "pid=$!\n"
                + "echo \"qtx-agent pid=$pid\"\n"
                + "for m in a b c d e f g h; do\n"
                + "  while [ ! -e /tmp/$m ]; do sleep 1; done\n"
                + "  echo \"qtx-stat $m $(cut -d' ' -f14,15 /proc/$pid/stat) $(grep VmRSS /proc/$pid/status)\"\n"
                + "done\n"
                + "wait $pid\n";
        return new GuestProgram(script, files);
    }

    /** jlinks the runtime once per build into target/agent-vm-jre. */
    private static synchronized Path runtime() throws IOException {
        Path jre = Path.of("target", "agent-vm-jre").toAbsolutePath();
        if (Files.isExecutable(jre.resolve("bin/java"))) {
            return jre;
        }
        ToolProvider jlink = ToolProvider.findFirst("jlink")
                .orElseThrow(() -> new IOException("this JDK has no jlink"));
        int status = jlink.run(System.out, System.err, "--add-modules", MODULES, "--output", jre.toString(),
                "--strip-debug", "--no-header-files", "--no-man-pages", "--generate-cds-archive");
        if (status != 0) {
            throw new IOException("jlink failed with status " + status);
        }
        Files.deleteIfExists(jre.resolve("lib/server/classes_nocoops.jsa"));
        return jre;
    }

    private static Path codeSource(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        try {
            return Path.of(source.getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
