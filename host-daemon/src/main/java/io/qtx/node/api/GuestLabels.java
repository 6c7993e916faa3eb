package io.qtx.node.api;

import java.util.regex.Pattern;

/**
 * Which guest-reported names may become label values. Every distinct label value is a new
 * series in every Prometheus that scrapes us, so a guest must not be able to invent them at
 * will: per VM at most {@link #MAX_PER_VM} interfaces and filesystems each (the first ones the
 * report lists), each name short and of a plain character set. A name that fails is left out
 * of the labelled series (and counted); the VM's totals still include it.
 */
final class GuestLabels {

    static final int MAX_PER_VM = 8;
    /** Linux interface names: at most 15 bytes (IFNAMSIZ less the NUL), no '/' or blanks. */
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
    /** Mount points: absolute, printable ASCII without quotes or backslashes, at most 64 characters. */
    private static final Pattern MOUNTPOINT = Pattern.compile("/[A-Za-z0-9_./+=,@:~-]{0,63}");
    /** Agent versions as the agent builds them: "0.1.0", "0.1.0-SNAPSHOT+abc"; anything else is "invalid". */
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_.+-]{1,32}");

    private GuestLabels() {
    }

    static boolean interfaceName(String name) {
        return INTERFACE.matcher(name).matches();
    }

    static boolean mountpoint(String path) {
        return MOUNTPOINT.matcher(path).matches();
    }

    static String version(String version) {
        return version != null && VERSION.matcher(version).matches() ? version : "invalid";
    }
}
