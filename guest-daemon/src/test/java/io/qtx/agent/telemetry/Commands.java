package io.qtx.agent.telemetry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs a system tool and returns its output: the independent witness the tests compare with. */
final class Commands {

    private Commands() {
    }

    static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(List.of(argv) + " failed: " + out);
        }
        return out;
    }
}
