package io.qtx.qemu;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What {@code build-scripts/qemu/setup} made: the QEMU binary, the guest kernel, the base
 * initramfs and (runnable here too) the guest's Java runtime, as listed in its
 * {@code images.properties}.
 *
 * <p>The cache folder is the system property {@code qtx.qemu.cache} (the module's pom sets it),
 * else the environment variable {@code QTX_QEMU_CACHE}, else {@code build-scripts/.cache/qemu}
 * under the working directory's repository. When setup failed or never ran, {@link #load()}
 * throws with setup's own reason, so a machine without QEMU fails the tests instead of
 * skipping them.
 */
public record GuestImages(Path qemu, String qemuVersion, Path kernel, String kernelPackage, Path initramfs,
        long initramfsBytes, Path runtime, long runtimeBytes, String guestJava) {

    public static final String CACHE_PROPERTY = "qtx.qemu.cache";

    /** Reads the images setup made, or explains why there are none. */
    public static GuestImages load() {
        return load(cacheDir());
    }

    static GuestImages load(Path cache) {
        Path failed = cache.resolve("FAILED");
        if (Files.exists(failed)) {
            throw new IllegalStateException("build-scripts/qemu/setup failed: " + readQuietly(failed).strip()
                    + " (cache " + cache + ")");
        }
        Path listing = cache.resolve("images.properties");
        if (!Files.isReadable(listing)) {
            throw new IllegalStateException("no QEMU guest images in " + cache
                    + ": run build-scripts/qemu/setup (build-scripts/test does it before the tests)");
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(listing)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + listing, e);
        }
        GuestImages images = new GuestImages(Path.of(required(p, "qemu", listing)), p.getProperty("qemuVersion", "?"),
                Path.of(required(p, "kernel", listing)), p.getProperty("kernelPackage", "?"),
                Path.of(required(p, "initramfs", listing)), Long.parseLong(p.getProperty("initramfsBytes", "0")),
                Path.of(required(p, "jre", listing)), Long.parseLong(p.getProperty("jreBytes", "0")),
                required(p, "guestJava", listing));
        for (Path file : new Path[] {images.qemu, images.kernel, images.initramfs, images.runtime}) {
            if (!Files.isReadable(file)) {
                throw new IllegalStateException(file + " (listed in " + listing
                        + ") is gone: run build-scripts/qemu/setup again");
            }
        }
        return images;
    }

    static Path cacheDir() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("QTX_QEMU_CACHE");
        }
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        // Run from the repository or one of its modules.
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("build-scripts/qemu"))) {
                return d.resolve("build-scripts/.cache/qemu");
            }
        }
        return dir.resolve("build-scripts/.cache/qemu");
    }

    private static String required(Properties p, String key, Path listing) {
        String value = p.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(listing + " has no " + key + ": run build-scripts/qemu/setup again");
        }
        return value;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
