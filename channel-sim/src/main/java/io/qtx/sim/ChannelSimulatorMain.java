package io.qtx.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The simulator as a command, for demos:
 * {@code ChannelSimulatorMain --dir DIR --vm ID [--vm ID...]}.
 *
 * <p>Prints one line per transition on standard output and runs until SIGTERM or Ctrl-C, then
 * closes every socket and deletes the socket files before the JVM exits.
 */
public final class ChannelSimulatorMain {

    static final String USAGE = "usage: channel-sim --dir DIR --vm ID [--vm ID...]";

    private ChannelSimulatorMain() {
    }

    /** What the command line asks for. */
    record Options(Path dir, List<String> vmIds) {

        static Options parse(String... args) {
            Path dir = null;
            List<String> vms = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--dir" -> dir = Path.of(value(args, ++i, arg));
                    case "--vm" -> vms.add(value(args, ++i, arg));
                    default -> throw new IllegalArgumentException("unknown argument " + arg);
                }
            }
            if (dir == null) {
                throw new IllegalArgumentException("--dir is required");
            }
            if (vms.isEmpty()) {
                throw new IllegalArgumentException("at least one --vm is required");
            }
            if (vms.stream().distinct().count() != vms.size()) {
                throw new IllegalArgumentException("a --vm is given twice: " + vms);
            }
            return new Options(dir, List.copyOf(vms));
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[i];
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("channel-sim: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        ChannelSimulator sim;
        try {
            sim = open(options, System.out);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("channel-sim: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("qtx-channel-sim-stop").unstarted(() -> {
            sim.close();
            System.out.println(Instant.now() + " stopped");
            System.out.flush();
        }));
        forever.await(); // the shutdown hook ends the process
    }

    /** Starts a simulator with the channels {@code options} names, logging every transition to {@code log}. */
    static ChannelSimulator open(Options options, PrintStream log) throws IOException {
        Files.createDirectories(options.dir());
        ChannelSimulator sim = ChannelSimulator.start(options.dir(), (vmId, transition, stats) ->
                log.println(Instant.now() + " vm=" + vmId + " " + transition.label() + " " + stats.summary()));
        try {
            for (String vmId : options.vmIds()) {
                SimulatedChannel ch = sim.addVm(vmId);
                log.println(Instant.now() + " vm=" + vmId + " host-socket=" + ch.hostSocket()
                        + " guest-socket=" + ch.guestSocket());
            }
        } catch (IOException | RuntimeException e) {
            sim.close();
            throw e;
        }
        return sim;
    }
}
