package io.qtx.agent;

/** The agent's version: the jar manifest's Implementation-Version, or the build's default. */
public final class Version {

    public static final String VERSION = version();

    private Version() {
    }

    private static String version() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}
