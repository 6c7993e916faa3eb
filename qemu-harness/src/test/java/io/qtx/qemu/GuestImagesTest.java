package io.qtx.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A machine without the images fails the tests with setup's reason; it never skips them. */
class GuestImagesTest {

    @Test
    void aFailedSetupIsReportedWithItsReason(@TempDir Path cache) throws Exception {
        Files.writeString(cache.resolve("FAILED"), "apt-get install qemu-system-x86 failed: E: Unable to locate package\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GuestImages.load(cache));
        assertTrue(e.getMessage().contains("Unable to locate package"), e.getMessage());
        assertTrue(e.getMessage().contains("build-scripts/qemu/setup failed"), e.getMessage());
    }

    @Test
    void aSetupThatNeverRanSaysWhatToRun(@TempDir Path cache) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GuestImages.load(cache));
        assertTrue(e.getMessage().contains("run build-scripts/qemu/setup"), e.getMessage());
    }

    @Test
    void aListedFileThatIsGoneIsNamed(@TempDir Path cache) throws Exception {
        Path qemu = Files.createFile(cache.resolve("qemu"));
        Files.writeString(cache.resolve("images.properties"), "qemu=" + qemu + "\nkernel=" + cache.resolve("vmlinux")
                + "\ninitramfs=" + qemu + "\njre=" + cache + "\nguestJava=/opt/jre/bin/java\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GuestImages.load(cache));
        assertTrue(e.getMessage().startsWith(cache.resolve("vmlinux").toString()), e.getMessage());
    }

    @Test
    void theImagesSetupMadeAreThere() {
        GuestImages images = GuestImages.load();
        assertTrue(Files.isExecutable(images.qemu()), images.qemu().toString());
        assertTrue(images.kernelPackage().startsWith("linux-image-6.1.0-"), images.kernelPackage());
        assertEquals(images.initramfsBytes(), images.initramfs().toFile().length());
    }
}
