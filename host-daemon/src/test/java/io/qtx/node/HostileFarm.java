package io.qtx.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

import io.qtx.proto.Envelope;
import io.qtx.proto.Filesystem;
import io.qtx.proto.Memory;
import io.qtx.proto.NetInterface;
import io.qtx.proto.Ping;
import io.qtx.proto.TelemetryReport;

/**
 * Hostile VMs for build-scripts/measure-hostile: {@code HostileFarm DIR KIND COUNT} plays QEMU
 * (and a hostile guest) for COUNT sockets {@code DIR/KIND-NNN.agent.sock}. Kinds: garbage,
 * pings (ping flood), telemetry (valid small reports as fast as qx-node takes them), amplify
 * (200 KiB frames of empty repeated entries), slowloris, maxreports (valid maximum-size reports,
 * one a second). One thread per connection: this is a load tool, not a test.
 */
public final class HostileFarm {

    private HostileFarm() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String kind = args[1];
        int count = Integer.parseInt(args[2]);
        Files.createDirectories(dir);
        HostileGuest.Behaviour b = behaviour(kind);
        List<HostileGuest> guests = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            guests.add(new HostileGuest(dir, String.format("%s-%03d", kind, i), b));
        }
        System.out.println("hostile guests running: " + count + " " + kind);
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (HostileGuest g : guests) {
                try {
                    g.close();
                } catch (Exception e) {
                    // leaving anyway
                }
            }
            forever.countDown();
        }));
        forever.await();
    }

    static byte[] repeat(byte[] one, int times) {
        byte[] out = new byte[one.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(one, 0, out, i * one.length, one.length);
        }
        return out;
    }

    /** A valid report at the wire bounds: 64 filesystems, 64 interfaces of 32 addresses. */
    static TelemetryReport maximumReport() {
        TelemetryReport.Builder big = TelemetryReport.newBuilder().setHostname("max").setCpuPercent(1)
                .setMemory(Memory.newBuilder().setTotalBytes(1L << 32).setAvailableBytes(1L << 31));
        for (int i = 0; i < 64; i++) {
            big.addFilesystems(Filesystem.newBuilder().setMountpoint("/m/" + "d".repeat(200) + i).setDevice("/dev/" + i)
                    .setFsType("ext4").setTotalBytes(100).setUsedBytes(50));
            NetInterface.Builder n = NetInterface.newBuilder().setName("eth" + i).setMac("aa:bb:cc:dd:ee:ff");
            for (int a = 0; a < 32; a++) {
                n.addIpv4("10." + i + "." + a + ".1/24");
            }
            big.addInterfaces(n);
        }
        return big.build();
    }

    static HostileGuest.Behaviour behaviour(String kind) {
        return switch (kind) {
            case "garbage" -> c -> {
                Random r = new Random();
                byte[] chunk = new byte[64 * 1024];
                while (true) {
                    r.nextBytes(chunk);
                    c.write(chunk);
                }
            };
            case "pings" -> c -> {
                c.behave("pings");
                byte[] burst = repeat(HostileGuest.frame(Envelope.newBuilder().setId(7).setPing(Ping.getDefaultInstance())
                        .build().toByteArray(), false), 1000);
                while (true) {
                    c.write(burst);
                }
            };
            case "telemetry" -> c -> {
                c.behave("telemetry");
                byte[] burst = repeat(HostileGuest.frame(Envelope.newBuilder().setId(1).setTelemetry(TelemetryReport
                        .newBuilder().setHostname("t").setCpuPercent(1)).build().toByteArray(), false), 256);
                while (true) {
                    c.write(burst);
                }
            };
            case "amplify" -> c -> {
                TelemetryReport.Builder r = TelemetryReport.newBuilder();
                for (int i = 0; i < 100_000; i++) {
                    r.addInterfaces(NetInterface.getDefaultInstance());
                }
                byte[] frame = HostileGuest.frame(Envelope.newBuilder().setId(3).setTelemetry(r).build().toByteArray(), true);
                c.behave("amplify");
                while (true) {
                    c.write(frame);
                }
            };
            case "slowloris" -> c -> {
                c.write(new byte[] {'Q', 'T', 'X', 1, 0, 3, 0, 0});
                while (true) {
                    c.write(new byte[] {1});
                    Thread.sleep(1000); // the hostile guest's pace: once a second, for as long as it runs
                }
            };
            case "maxreports" -> c -> {
                c.behave("max");
                byte[] frame = HostileGuest.frame(Envelope.newBuilder().setId(5).setTelemetry(maximumReport()).build()
                        .toByteArray(), false);
                while (true) {
                    c.write(frame);
                    Thread.sleep(1000); // the hostile guest's pace: once a second, for as long as it runs
                }
            };
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
    }
}
