package io.qtx.node.qemu;

import java.nio.file.Path;
import java.util.Map;

import io.qtx.qemu.GuestProgram;

/** The real guest daemon as a qemu-harness guest program. */
final class AgentInQemu {

    /** The guest daemon's runnable jar, which guest-daemon's package phase builds before host-daemon's tests. */
    static final Path JAR = locate();

    private AgentInQemu() {
    }

    private static Path locate() {
        Path here = Path.of(System.getProperty("user.dir"));
        Path module = here.getFileName().toString().equals("host-daemon") ? here.resolveSibling("guest-daemon")
                : here.resolve("guest-daemon");
        return module.resolve("target/quantix-kvm-agent.jar").toAbsolutePath();
    }

    /**
     * Runs the agent, and again each time it exits ({@code runs} times in all), as a service
     * manager would; each run is announced on the console ("guest: agent run N").
     */
    static GuestProgram program(int runs) {
        String java = "/opt/jre/bin/java " + String.join(" ", GuestProgram.GUEST_JVM_OPTIONS)
                + " --sun-misc-unsafe-memory-access=allow -jar /qtx/app/agent.jar --telemetry.interval 1s";
        return new GuestProgram("""
                run=1
                while [ $run -le %d ]; do
                  echo "guest: agent run $run"
                  %s
                  echo "guest: agent exited status=$?"
                  run=$((run + 1))
                done
                """.formatted(runs, java), Map.of("/qtx/app/agent.jar", JAR));
    }
}
