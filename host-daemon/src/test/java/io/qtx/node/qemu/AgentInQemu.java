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

    /**
     * The agent under the test's control, for the clock and liveness scenarios. {@code reboot},
     * {@code poweroff} and {@code halt} only print "qtx-marker executed ..." on the console, so
     * a power request that ran is seen and harms nothing. A console line "qtx-touch cmd-VERB-TAG"
     * makes the guest act within 0.2 s and say "qtx-did VERB-TAG": stop, cont, kill the agent
     * (SIGSTOP, said once every thread is stopped; SIGCONT; SIGKILL), stopopen (SIGSTOP the
     * agent the moment it has the port open: in the middle of its handshake), ahead / behind (step the guest clock by an hour with
     * date -s), stat (the agent's utime and stime ticks from /proc/PID/stat). An agent that
     * exits is started again only after "qtx-touch restart".
     */
    static GuestProgram controlled() {
        String java = "/opt/jre/bin/java " + String.join(" ", GuestProgram.GUEST_JVM_OPTIONS)
                + " --sun-misc-unsafe-memory-access=allow -jar /qtx/app/agent.jar --telemetry.interval 1s";
        return new GuestProgram("""
                mkdir -p /qtx/bin
                for c in reboot poweroff halt; do
                  printf '#!/bin/sh\necho "qtx-marker executed %%s $*" >/dev/console\n' "$c" > /qtx/bin/$c
                  chmod +x /qtx/bin/$c
                done
                export PATH=/qtx/bin:$PATH
                # SIGSTOP takes effect as each thread next runs; "stopped" only once every one has.
                stopped() { ! grep -h '^State:' /proc/$1/task/*/status 2>/dev/null | grep -qv stopped; }
                (
                  while true; do
                    for f in /tmp/cmd-*; do
                      [ -e "$f" ] || continue
                      c=${f#/tmp/cmd-}
                      rm -f "$f"
                      pid=$(cat /tmp/agent.pid)
                      case $c in
                        stopopen*)
                          # the agent being started next: its pid file changes, then it opens the port
                          until pid=$(cat /tmp/agent.pid); ls -l /proc/$pid/fd 2>/dev/null | grep -q vport; do
                            sleep 0.01
                          done
                          kill -STOP $pid && until stopped $pid; do sleep 0.01; done && echo "qtx-did $c" ;;
                        stop*) kill -STOP $pid && until stopped $pid; do sleep 0.01; done && echo "qtx-did $c" ;;
                        cont*) kill -CONT $pid && echo "qtx-did $c" ;;
                        kill*) kill -KILL $pid && echo "qtx-did $c" ;;
                        ahead*) date -s "@$(( $(date +%%s) + 3600 ))" >/dev/null && echo "qtx-did $c $(date +%%s)" ;;
                        behind*) date -s "@$(( $(date +%%s) - 3600 ))" >/dev/null && echo "qtx-did $c $(date +%%s)" ;;
                        stat*) echo "qtx-did $c $(cut -d' ' -f14,15 /proc/$pid/stat)" ;;
                      esac
                    done
                    sleep 0.2
                  done
                ) &
                run=1
                while true; do
                  echo "guest: agent run $run"
                  %s &
                  echo $! > /tmp/agent.pid
                  wait $!
                  echo "guest: agent exited status=$?"
                  while [ ! -e /tmp/restart ]; do sleep 0.2; done
                  rm -f /tmp/restart
                  run=$((run + 1))
                done
                """.formatted(java), Map.of("/qtx/app/agent.jar", JAR));
    }
}
