package io.qtx.agent.telemetry;

/** IPv6 text in the RFC 5952 form: lower case, no leading zeros, the longest zero run as "::". */
final class Ipv6Text {

    private Ipv6Text() {
    }

    /** {@code full} is the JDK's form, eight groups such as "fe80:0:0:0:fc:ff:fe00:1". */
    static String compress(String full) {
        int percent = full.indexOf('%');
        String[] groups = (percent < 0 ? full : full.substring(0, percent)).split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && Integer.parseInt(groups[j], 16) == 0) {
                j++;
            }
            if (j - i > bestLen && j - i > 1) {
                bestStart = i;
                bestLen = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < groups.length; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(Integer.parseInt(groups[i], 16)));
        }
        return out.toString();
    }
}
