package io.qtx.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The appended archive, unpacked by the system's cpio, which reads newc as the kernel does. */
class CpioWriterTest {

    @Test
    void cpioUnpacksTheProgramAndItsFilesWithModes(@TempDir Path tmp) throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes/io/qtx"));
        Files.writeString(classes.resolve("A.class"), "abc");
        Files.write(classes.resolve("odd.bin"), new byte[] {1, 2, 3, 4, 5});
        GuestProgram program = new GuestProgram("exec /bin/true 'it''s'", Map.of("/qtx/app/0-classes", tmp.resolve("classes")));
        Path archive = tmp.resolve("extra.cpio");
        try (OutputStream out = Files.newOutputStream(archive); CpioWriter cpio = new CpioWriter(out)) {
            program.writeTo(cpio);
        }
        assertEquals(0, Files.size(archive) % 4, "newc entries are 4-byte aligned");
        Path root = Files.createDirectories(tmp.resolve("root"));
        Process cpio = new ProcessBuilder("cpio", "-i", "-d", "--quiet", "-F", archive.toString())
                .directory(root.toFile()).redirectErrorStream(true).start();
        String output = new String(cpio.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, cpio.waitFor(), output);
        assertEquals("abc", Files.readString(root.resolve("qtx/app/0-classes/io/qtx/A.class")));
        assertEquals(List.of((byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5), boxed(
                Files.readAllBytes(root.resolve("qtx/app/0-classes/io/qtx/odd.bin"))));
        assertEquals("#!/bin/sh\nexec /bin/true 'it''s'\n", Files.readString(root.resolve("qtx/run")));
        assertTrue(Files.isExecutable(root.resolve("qtx/run")));
    }

    @Test
    void javaProgramsQuoteTheirArgumentsForTheShell() {
        GuestProgram program = GuestProgram.java(List.of(Path.of("/x/a.jar")), "p.Main", List.of(), "plain", "two words", "it's");
        assertTrue(program.script().startsWith("exec /opt/jre/bin/java -Xshare:auto"), program.script());
        assertTrue(program.script().endsWith(" -cp /qtx/app/0-a.jar p.Main plain 'two words' 'it'\\''s'"), program.script());
        assertEquals(Map.of("/qtx/app/0-a.jar", Path.of("/x/a.jar")), program.files());
    }

    private static List<Byte> boxed(byte[] bytes) {
        Byte[] b = new Byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = bytes[i];
        }
        return List.of(b);
    }
}
