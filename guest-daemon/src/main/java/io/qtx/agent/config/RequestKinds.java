package io.qtx.agent.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.qtx.proto.RequestKind;

/** Request kinds by their short config names: REQUEST_KIND_FILE_READ is "file_read". */
public final class RequestKinds {

    private static final String PREFIX = "REQUEST_KIND_";

    /** Every real kind (not UNSPECIFIED, not UNRECOGNIZED). */
    public static final Set<RequestKind> ALL;

    static {
        Set<RequestKind> all = EnumSet.noneOf(RequestKind.class);
        for (RequestKind k : RequestKind.values()) {
            if (k != RequestKind.REQUEST_KIND_UNSPECIFIED && k != RequestKind.UNRECOGNIZED) {
                all.add(k);
            }
        }
        ALL = java.util.Collections.unmodifiableSet(all);
    }

    private RequestKinds() {
    }

    public static String name(RequestKind kind) {
        return kind.name().substring(PREFIX.length()).toLowerCase(Locale.ROOT);
    }

    /** The kind called {@code name} ("exec", "file_read"), or null. */
    public static RequestKind byName(String name) {
        for (RequestKind k : ALL) {
            if (name(k).equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        return null;
    }

    static String names() {
        return ALL.stream().map(RequestKinds::name).collect(Collectors.joining(","));
    }
}
