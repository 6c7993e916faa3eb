package io.qtx.node;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import io.qtx.ffi.SdNotify;
import io.qtx.kit.config.CommandLine;
import io.qtx.kit.config.ConfigException;
import io.qtx.node.api.ApiServer;
import io.qtx.node.config.ConfigFile;
import io.qtx.node.config.TokenFile;

/** {@code qx-node}: the host daemon's command line. */
public final class QxNode {

    /** Exit statuses, as --help lists them. */
    static final int EXIT_OK = 0;
    static final int EXIT_CONFIG = 2;
    static final int EXIT_START = 3;
    static final int EXIT_LOOP_DIED = 4;
    /** Reads the configuration, says whether it is good, and exits. */
    private static final String CHECK_CONFIG = "--check-config";

    private QxNode() {
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        }
        CommandLine line;
        NodeConfig config;
        try {
            line = CommandLine.parse(args, ConfigFile.KEYS, Set.of(CHECK_CONFIG));
            if (line.action() == CommandLine.Action.HELP) {
                System.out.print(help());
                return;
            }
            if (line.action() == CommandLine.Action.VERSION) {
                System.out.println("qx-node " + Node.VERSION);
                return;
            }
            config = ConfigFile.load(line.configFile(), line.configFile() != null, line.flags());
        } catch (ConfigException e) {
            fail(EXIT_CONFIG, "configuration: " + e.getMessage());
            return;
        }
        boolean checkOnly = line.has(CHECK_CONFIG);
        if (checkOnly) {
            System.out.println("qx-node: configuration OK (socket_dir " + config.socketDir() + ", API "
                    + config.httpBind() + ":" + config.httpPort() + ", token " + config.access().tokenFile()
                    + (config.token() == null ? ", created on first start" : "") + ")");
            return;
        }
        try {
            config = withToken(config);
        } catch (TokenFile.Problem e) {
            fail(EXIT_START, "cannot create the API token: " + e.getMessage() + " (set api.token_file)");
            return;
        }
        run(config);
    }

    /** The configured token, or a new one written to api.token_file on first start. */
    static NodeConfig withToken(NodeConfig config) throws TokenFile.Problem {
        if (config.token() != null) {
            return config;
        }
        Path file = config.access().tokenFile();
        String token = TokenFile.create(file);
        System.out.println("qx-node: created the API token in " + file + " (mode 0600; qxctl reads it from there)");
        return config.withAccess(config.access().withToken(token));
    }

    private static void run(NodeConfig config) {
        Node node;
        ApiServer api;
        try {
            node = Node.start(config);
        } catch (Exception e) {
            fail(EXIT_START, "cannot start: " + e.getMessage());
            return;
        }
        try {
            api = ApiServer.start(node, config);
        } catch (Exception e) {
            node.close();
            fail(EXIT_START, "cannot serve the API on " + config.httpBind() + ":" + config.httpPort() + ": " + e.getMessage());
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        exitWhenLoopDies(node, System::exit);
        HeapKeeper heap = HeapKeeper.forThisJvm();
        if (heap != null) {
            node.loop().scheduleAtFixedRate(HeapKeeper.PERIOD, HeapKeeper.PERIOD, heap::check);
        }
        long watchdogMicros = SdNotify.watchdogIntervalMicros();
        if (watchdogMicros > 0) {
            SdNotify watchdog = SdNotify.fromEnvironment();
            node.heartbeatFromLoop(java.time.Duration.ofNanos(watchdogMicros * 1000), () -> watchdog.send("WATCHDOG=1"));
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("qx-node-stop").unstarted(() -> {
            SdNotify.fromEnvironment().send("STOPPING=1");
            api.close();
            node.close();
            stopped.countDown();
        }));
        System.out.println("qx-node " + Node.VERSION + ": watching " + config.socketDir() + "; API at " + api.baseUrl()
                + "/api/v1 (status page " + api.baseUrl() + "/, metrics " + api.baseUrl() + "/metrics)");
        SdNotify.fromEnvironment().send("READY=1\nSTATUS=watching " + config.socketDir() + ", API at " + api.baseUrl());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A qx-node whose loop died (an error in the middle of a turn) would look alive and serve
     * nothing: it exits instead, from a thread of its own (the shutdown hooks still run), so
     * its service manager starts a fresh one.
     */
    static void exitWhenLoopDies(Node node, java.util.function.IntConsumer exit) {
        node.loopEnded().thenAcceptAsync(cause -> {
            if (cause != null) {
                System.err.println("qx-node: the event loop died (" + cause + "); exiting");
                exit.accept(EXIT_LOOP_DIED);
            }
        }, r -> Thread.ofPlatform().name("qx-node-loop-died").start(r));
    }

    private static void fail(int status, String message) {
        System.err.println("qx-node: " + message);
        System.exit(status);
    }

    static String help() {
        StringBuilder h = new StringBuilder();
        h.append("""
                qx-node: the qtx host daemon. Holds one connection per VM agent socket on one event loop
                and serves an HTTP API (see qxctl).

                usage: qx-node [--config FILE] [--KEY VALUE | --KEY=VALUE]... [--check-config]
                       qx-node --help | --version

                Settings come from the defaults, then the config file (default %s, read if
                present; a --config file must exist), then flags. The file is 'key = value' lines; '#'
                starts a comment. Durations: 250ms, 5s, 2m, 1h. --check-config reads the
                configuration, reports the first error (or OK) and exits.

                keys (default):
                """.formatted(ConfigFile.DEFAULT_PATH));
        ConfigFile.KEYS.all().forEach(k -> h.append(String.format("  %-28s %s (%s)%n", k.name(), k.help(),
                k.defaultValue().isEmpty() ? "none" : k.defaultValue())));
        h.append("""

                exit status: 0 stopped cleanly (SIGTERM) or --help/--version; 2 bad command line or
                configuration (the message names file, line and key); 3 could not start (socket
                directory watch, API port, the API token file); 4 the event loop died (qx-node exits
                rather than serve nothing; out of memory, the JVM exits at once with
                -XX:+ExitOnOutOfMemoryError).
                The API wants 'Authorization: Bearer TOKEN' on every request; the token is the one line
                of api.token_file, which qx-node creates (mode 0600) on first start when it is missing.
                Under systemd (Type=notify) it reports READY=1 once the API is serving, and feeds
                the watchdog (WatchdogSec) from its event loop.
                """);
        return h.toString();
    }
}
