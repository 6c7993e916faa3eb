package io.qtx.agent;

import java.util.concurrent.CountDownLatch;

import io.qtx.ffi.SdNotify;
import io.qtx.kit.config.ConfigException;
import io.qtx.agent.config.ConfigLoader;
import io.qtx.agent.port.ConnectionState;

/**
 * quantix-kvm-agent: reads the configuration (a bad one stops it here, naming key and line),
 * runs the {@link Agent}, talks to systemd (READY, STATUS, WATCHDOG from the loop thread so a
 * stuck loop stops the watchdog pings, STOPPING) and stops cleanly on SIGTERM. A loop late for
 * its beat while filesystems are frozen gets them thawed before the watchdog's kill.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        ConfigLoader.Loaded loaded;
        try {
            loaded = ConfigLoader.load(args);
        } catch (ConfigException e) {
            System.err.println("quantix-kvm-agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        switch (loaded.action()) {
            case HELP -> {
                System.out.print(ConfigLoader.help());
                return;
            }
            case VERSION -> {
                System.out.println("quantix-kvm-agent " + Version.VERSION);
                return;
            }
            default -> { }
        }
        LogGate logGate = LogFormat.install(System.getenv("QTX_DEBUG") != null);
        SdNotify notify = SdNotify.fromEnvironment();
        Agent agent = new Agent(loaded.config(), SystemActions.real(),
                (ConnectionState state) -> notify.send("STATUS=" + state));
        agent.freeze().listener(logGate);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("agent-shutdown").unstarted(() -> {
            notify.send("STOPPING=1");
            System.getLogger(Main.class.getName()).log(System.Logger.Level.INFO, "stopping (signal)");
            agent.close();
            stopped.countDown();
        }));
        agent.start();
        long watchdogMicros = SdNotify.watchdogIntervalMicros();
        if (watchdogMicros > 0) {
            var period = java.time.Duration.ofNanos(watchdogMicros * 1000);
            LoopBeat beat = new LoopBeat(period);
            agent.freeze().watchLoop(beat::late, java.time.Duration.ofSeconds(1));
            agent.loop().execute(() -> agent.loop().scheduleAtFixedRate(period, period, () -> {
                beat.beat();
                notify.send("WATCHDOG=1");
            }));
        }
        notify.send("READY=1\nSTATUS=" + ConnectionState.WAITING_FOR_PORT);
        stopped.await();
    }
}
