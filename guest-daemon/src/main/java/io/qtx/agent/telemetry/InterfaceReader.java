package io.qtx.agent.telemetry;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.qtx.proto.LinkState;
import io.qtx.proto.NetInterface;

/**
 * Every network interface: MAC, state, MTU and counters from /sys/class/net, IPv6 addresses
 * from /proc/net/if_inet6, IPv4 addresses from the JDK's NetworkInterface (getifaddrs is not
 * bound, and the JDK asks the kernel the same question through its own native code; there is
 * no /proc file listing IPv4 addresses with prefixes except by walking fib_trie).
 */
public final class InterfaceReader {

    private static final String[] COUNTERS = {"rx_bytes", "tx_bytes", "rx_packets", "tx_packets", "rx_errors",
        "tx_errors", "rx_dropped", "tx_dropped"};

    private final KernelFiles files;
    private final boolean jdkIpv4;

    /** {@code jdkIpv4} false leaves IPv4 out, for fixture trees that are not this machine. */
    public InterfaceReader(KernelFiles files, boolean jdkIpv4) {
        this.files = files;
        this.jdkIpv4 = jdkIpv4;
    }

    public List<NetInterface> read() {
        Map<String, List<String>> ipv6 = ipv6();
        List<NetInterface> out = new ArrayList<>();
        for (String name : names()) {
            String base = "/sys/class/net/" + name + "/";
            String mac = files.line(base + "address").toLowerCase(java.util.Locale.ROOT);
            NetInterface.Builder b = NetInterface.newBuilder()
                    .setName(name)
                    .setMac(mac.equals("00:00:00:00:00:00") ? "" : mac)
                    .setState(state(files.line(base + "operstate")))
                    .setMtu((int) files.number(base + "mtu"))
                    .setRxBytes(files.number(base + "statistics/" + COUNTERS[0]))
                    .setTxBytes(files.number(base + "statistics/" + COUNTERS[1]))
                    .setRxPackets(files.number(base + "statistics/" + COUNTERS[2]))
                    .setTxPackets(files.number(base + "statistics/" + COUNTERS[3]))
                    .setRxErrors(files.number(base + "statistics/" + COUNTERS[4]))
                    .setTxErrors(files.number(base + "statistics/" + COUNTERS[5]))
                    .setRxDropped(files.number(base + "statistics/" + COUNTERS[6]))
                    .setTxDropped(files.number(base + "statistics/" + COUNTERS[7]))
                    .addAllIpv6(ipv6.getOrDefault(name, List.of()));
            if (jdkIpv4) {
                b.addAllIpv4(ipv4(name));
            }
            out.add(b.build());
        }
        return out;
    }

    private List<String> names() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(files.path("/sys/class/net"))) {
            dir.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            return names;
        }
        names.sort(null);
        return names;
    }

    static LinkState state(String operstate) {
        return switch (operstate) {
            case "up" -> LinkState.LINK_STATE_UP;
            case "down", "lowerlayerdown", "notpresent" -> LinkState.LINK_STATE_DOWN;
            default -> LinkState.LINK_STATE_UNKNOWN;
        };
    }

    /** "addr32hex ifindex prefixlen scope flags name" lines to "a:b::c/len" by interface. */
    Map<String, List<String>> ipv6() {
        Map<String, List<String>> out = new TreeMap<>();
        for (String line : files.read("/proc/net/if_inet6").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || f[0].length() != 32) {
                continue;
            }
            byte[] addr = new byte[16];
            for (int i = 0; i < 16; i++) {
                addr[i] = (byte) Integer.parseInt(f[0].substring(2 * i, 2 * i + 2), 16);
            }
            try {
                String text = java.net.InetAddress.getByAddress(addr).getHostAddress();
                out.computeIfAbsent(f[5], k -> new ArrayList<>())
                        .add(Ipv6Text.compress(text) + "/" + Integer.parseInt(f[2], 16));
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e); // 16 bytes is always an address
            }
        }
        return out;
    }

    private static List<String> ipv4(String name) {
        List<String> out = new ArrayList<>();
        try {
            NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif == null) {
                return out;
            }
            for (InterfaceAddress a : nif.getInterfaceAddresses()) {
                if (a.getAddress() instanceof Inet4Address v4) {
                    out.add(v4.getHostAddress() + "/" + a.getNetworkPrefixLength());
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
