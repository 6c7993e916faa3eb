package io.qtx.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify datagrams as a service manager receives them (the receiver is Python: the JDK has no Unix datagrams). */
class SdNotifyTest {

    @TempDir
    Path dir;

    private static Process receiver(String address) throws Exception {
        String script = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                a = sys.argv[1]
                s.bind("\\0" + a[1:] if a.startswith("@") else a)
                print("bound", flush=True)
                for _ in range(2):
                    print(repr(s.recv(4096).decode()), flush=True)
                """;
        return new ProcessBuilder("python3", "-c", script, address).redirectErrorStream(true).start();
    }

    private void roundTrip(String address) throws Exception {
        Process p = receiver(address);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("bound", out.readLine());
            SdNotify notify = new SdNotify(address);
            notify.send("READY=1\nSTATUS=waiting for host");
            notify.send("WATCHDOG=1");
            assertEquals("'READY=1\\nSTATUS=waiting for host'", out.readLine());
            assertEquals("'WATCHDOG=1'", out.readLine());
        } finally {
            p.waitFor(5, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }

    @Test
    void datagramsReachAPathSocket() throws Exception {
        roundTrip(dir.resolve("notify.sock").toString());
    }

    @Test
    void datagramsReachAnAbstractSocket() throws Exception {
        roundTrip("@qtx-notify-test-" + ProcessHandle.current().pid());
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        SdNotify off = new SdNotify(null);
        assertFalse(off.enabled());
        off.send("READY=1");
    }
}
