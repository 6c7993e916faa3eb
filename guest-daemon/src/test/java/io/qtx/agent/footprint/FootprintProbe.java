package io.qtx.agent.footprint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.qtx.agent.sim.TestHost;
import io.qtx.proto.Request;
import io.qtx.proto.SystemInfoRequest;
import io.qtx.sim.ChannelSimulator;
import io.qtx.sim.SimulatedChannel;

/**
 * A measuring tool, not a test (build-scripts/measure-agent runs it): the agent's start →
 * handshake and idle memory beside a bare JVM's start → connect and idle memory, in the same
 * run, against the channel simulator with a host already connected.
 *
 * <pre>FootprintProbe [--runs N] [--idle S] [--label L] [--table] AGENT... -- BARE...
 * FootprintProbe --train AGENT...
 * FootprintProbe --train-bare BARE...</pre>
 *
 * The agent command gets {@code --port=unix:SOCKET} appended, the bare one {@code SOCKET}. Each
 * run starts both (in turns first), reads VmRSS and RssAnon {@code idle} seconds after each
 * start, and stops both; the medians of every figure are printed, with {@code --table} also as
 * the issue-14 ROW lines. {@code --train} runs the agent once through a handshake and a few
 * requests, then stops it with SIGTERM and waits for its exit (which writes an AOT cache when
 * the command asks for one); {@code --train-bare} does the same for the bare JVM, up to its connect.
 */
public final class FootprintProbe {

    private static final Duration START_BOUND = Duration.ofSeconds(120);

    private FootprintProbe() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 5;
        int idle = 30;
        String label = "launcher";
        boolean table = false;
        String train = null;
        int i = 0;
        for (; i < args.length && args[i].startsWith("--"); i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--idle" -> idle = Integer.parseInt(args[++i]);
                case "--label" -> label = args[++i];
                case "--table" -> table = true;
                case "--train", "--train-bare" -> train = args[i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<String> rest = Arrays.asList(args).subList(i, args.length);
        int split = rest.indexOf("--");
        List<String> agent = split < 0 ? rest : rest.subList(0, split);
        List<String> bare = split < 0 ? List.of() : rest.subList(split + 1, rest.size());
        Path dir = Files.createTempDirectory("qtx-footprint");
        try (ChannelSimulator sim = ChannelSimulator.start(dir)) {
            if (train != null) {
                train(sim, agent, train.equals("--train"), dir);
                return;
            }
            if (bare.isEmpty()) {
                throw new IllegalArgumentException("no bare JVM command after --");
            }
            List<Run> done = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                Run run = run(sim, r, agent, bare, idle, dir);
                System.out.println("run " + (r + 1) + ": " + run);
                done.add(run);
            }
            Run median = Run.median(done);
            System.out.println("median of " + runs + " (" + label + "): " + median);
            if (table) {
                median.printRows(label);
            }
        }
    }

    private static void train(ChannelSimulator sim, List<String> command, boolean isAgent, Path dir) throws Exception {
        SimulatedChannel ch = sim.addVm("train");
        try (TestHost host = TestHost.connect(ch.hostSocket())) {
            Process p = launch(command, (isAgent ? "--port=unix:" : "") + ch.guestSocket(), dir.resolve("train.log"));
            try {
                if (!isAgent) {
                    ch.awaitStats(s -> s.guestAttached(), START_BOUND);
                    return;
                }
                host.awaitReady(START_BOUND);
                host.ping();
                host.call(Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()));
                host.telemetry.poll(15, TimeUnit.SECONDS);
            } finally {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                }
                System.out.println("training run: exit " + p.waitFor() + "; its output:");
                System.out.print(Files.readString(dir.resolve("train.log")));
            }
        }
    }

    private static Run run(ChannelSimulator sim, int r, List<String> agent, List<String> bare, int idle, Path dir)
            throws Exception {
        SimulatedChannel agentChannel = sim.addVm("agent-" + r);
        SimulatedChannel bareChannel = sim.addVm("bare-" + r);
        List<Process> started = new ArrayList<>();
        try (TestHost host = TestHost.connect(agentChannel.hostSocket())) {
            long[] startNanos = new long[2];
            long[] ms = new long[2];
            long[] pids = new long[2];
            // In turns first, so neither always starts beside the other's settling.
            for (int k = 0; k < 2; k++) {
                boolean isAgent = (k + r) % 2 == 0;
                int slot = isAgent ? 0 : 1;
                long t0 = System.nanoTime();
                Process p = isAgent
                        ? launch(agent, "--port=unix:" + agentChannel.guestSocket(), dir.resolve("agent-" + r + ".log"))
                        : launch(bare, bareChannel.guestSocket().toString(), dir.resolve("bare-" + r + ".log"));
                started.add(p);
                if (isAgent) {
                    host.awaitReady(START_BOUND);
                } else {
                    bareChannel.awaitStats(s -> s.guestAttached(), START_BOUND);
                }
                ms[slot] = (System.nanoTime() - t0) / 1_000_000;
                startNanos[slot] = t0;
                pids[slot] = ProcFigures.javaPid(p);
            }
            ProcFigures[] idleFigures = new ProcFigures[2];
            for (int slot : new int[] {startNanos[0] <= startNanos[1] ? 0 : 1, startNanos[0] <= startNanos[1] ? 1 : 0}) {
                long wait = startNanos[slot] + TimeUnit.SECONDS.toNanos(idle) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                idleFigures[slot] = ProcFigures.of(pids[slot]);
            }
            return new Run(ms[0], ms[1], idleFigures[0], idleFigures[1]);
        } finally {
            for (Process p : started) {
                p.destroy();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Process launch(List<String> command, String lastArgument, Path log) throws Exception {
        List<String> full = new ArrayList<>(command);
        full.add(lastArgument);
        return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** One run's figures (or their medians): milliseconds to the handshake / connect, idle memory. */
    record Run(long agentMs, long bareMs, ProcFigures agent, ProcFigures bare) {

        static Run median(List<Run> runs) {
            return new Run(median(runs, r -> r.agentMs), median(runs, r -> r.bareMs),
                    new ProcFigures(median(runs, r -> r.agent.vmRssKib()), median(runs, r -> r.agent.rssAnonKib()), 0),
                    new ProcFigures(median(runs, r -> r.bare.vmRssKib()), median(runs, r -> r.bare.rssAnonKib()), 0));
        }

        private static long median(List<Run> runs, java.util.function.ToLongFunction<Run> figure) {
            long[] v = runs.stream().mapToLong(figure).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        void printRows(String label) {
            row("agent start→handshake (" + label + ")", agentMs + " ms", bareMs + " ms (bare JVM start→connect)",
                    agentMs, bareMs, 2.0);
            row("agent idle VmRSS (" + label + ")", mib(agent.vmRssKib()), mib(bare.vmRssKib()) + " (bare JVM)",
                    agent.vmRssKib(), bare.vmRssKib(), 1.1);
            row("agent idle RssAnon (" + label + ")", mib(agent.rssAnonKib()), mib(bare.rssAnonKib()) + " (bare JVM)",
                    agent.rssAnonKib(), bare.rssAnonKib(), 1.2);
        }

        private static void row(String figure, String measured, String reference, long value, long base, double target) {
            double ratio = (double) value / base;
            System.out.printf(Locale.ROOT, "ROW\t%s\t%s\t%s\t%.2fx\t≤ %sx\t%s%n", figure, measured, reference, ratio,
                    target == Math.rint(target) ? String.valueOf((int) target) : String.valueOf(target),
                    ratio <= target ? "met" : "missed");
        }

        private static String mib(long kib) {
            return String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "agent start→handshake %d ms, bare start→connect %d ms; idle VmRSS/RssAnon agent %s / %s, bare %s / %s",
                    agentMs, bareMs, mib(agent.vmRssKib()), mib(agent.rssAnonKib()), mib(bare.vmRssKib()),
                    mib(bare.rssAnonKib()));
        }
    }
}
