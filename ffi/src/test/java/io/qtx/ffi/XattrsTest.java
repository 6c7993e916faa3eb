package io.qtx.ffi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XattrsTest {

    @TempDir
    Path dir;

    @Test
    void setListAndGetRoundTripInTheUserNamespace() throws Exception {
        Path f = Files.createFile(dir.resolve("f"));
        assertEquals(java.util.List.of(), Xattrs.list(f.toString()).stream().filter(n -> n.startsWith("user.")).toList());
        Xattrs.set(f.toString(), "user.qtx.a", "one".getBytes(StandardCharsets.UTF_8));
        Xattrs.set(f.toString(), "user.qtx.empty", new byte[0]);
        assertTrue(Xattrs.list(f.toString()).containsAll(java.util.List.of("user.qtx.a", "user.qtx.empty")));
        assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), Xattrs.get(f.toString(), "user.qtx.a"));
        assertArrayEquals(new byte[0], Xattrs.get(f.toString(), "user.qtx.empty"));
    }

    @Test
    void failuresNameTheCallThePathAndTheAttribute() {
        String missing = dir.resolve("missing").toString();
        NativeException e = assertThrows(NativeException.class, () -> Xattrs.list(missing));
        assertEquals("llistxattr(" + missing + "): ENOENT (No such file or directory)", e.getMessage());
        NativeException set = assertThrows(NativeException.class, () -> Xattrs.set(missing, "user.x", new byte[1]));
        assertEquals("lsetxattr", set.call());
        assertTrue(set.getMessage().contains(missing + " user.x"), set.getMessage());
    }
}
