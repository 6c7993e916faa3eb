package io.qtx.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.qtx.ffi.generated.Linux;
import io.qtx.ffi.generated.epoll_data;
import io.qtx.ffi.generated.epoll_event;
import io.qtx.ffi.generated.inotify_event;
import io.qtx.ffi.generated.iovec;
import io.qtx.ffi.generated.itimerspec;
import io.qtx.ffi.generated.pollfd;
import io.qtx.ffi.generated.sockaddr_un;
import io.qtx.ffi.generated.statvfs;
import io.qtx.ffi.generated.timespec;
import io.qtx.ffi.generated.ucred;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SequenceLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the jextract-generated layouts and constants against what C says on this machine.
 *
 * <p>Compiles {@code src/test/c/layouts.c} with gcc, runs it, and compares each line it prints
 * (size, alignment, field offsets and sizes of every generated struct and union, and the value
 * of every {@code --include-constant} in {@code jextract/qtx_linux.args}) with the generated
 * Java. gcc is required: without it the test fails rather than skips.
 */
class NativeLayoutTest {

    private static final Path MODULE_DIR = Path.of(System.getProperty("basedir", "."));
    private static final Path LAYOUTS_C = MODULE_DIR.resolve("src/test/c/layouts.c");
    private static final Path ARGFILE = MODULE_DIR.resolve("jextract/qtx_linux.args");

    /** Every generated struct and union, by its C name. */
    private static final Map<String, GroupLayout> LAYOUTS = new LinkedHashMap<>();

    static {
        LAYOUTS.put("epoll_event", epoll_event.layout());
        LAYOUTS.put("epoll_data", epoll_data.layout());
        LAYOUTS.put("timespec", timespec.layout());
        LAYOUTS.put("itimerspec", itimerspec.layout());
        LAYOUTS.put("sockaddr_un", sockaddr_un.layout());
        LAYOUTS.put("iovec", iovec.layout());
        LAYOUTS.put("statvfs", statvfs.layout());
        LAYOUTS.put("inotify_event", inotify_event.layout());
        LAYOUTS.put("ucred", ucred.layout());
        LAYOUTS.put("pollfd", pollfd.layout());
    }

    @TempDir
    static Path work;

    /** What the C program printed: key ("size epoll_event", "const EPOLLET", ...) to value. */
    private static Map<String, Long> c;

    @BeforeAll
    static void runLayoutsProgram() throws Exception {
        assertTrue(Files.isRegularFile(LAYOUTS_C), "missing " + LAYOUTS_C.toAbsolutePath());
        StringBuilder inc = new StringBuilder();
        for (String name : argfileNames("include-constant")) {
            inc.append("    CONST(").append(name).append(");\n");
        }
        Files.writeString(work.resolve("qtx_constants.inc"), inc);

        Path exe = work.resolve("layouts");
        run("gcc", List.of("gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror",
                "-I", work.toString(), "-o", exe.toString(), LAYOUTS_C.toString()));
        String out = run("layouts", List.of(exe.toString()));

        c = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            int space = line.lastIndexOf(' ');
            c.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
        }
    }

    @Test
    void everyGeneratedStructAndUnionIsChecked() {
        TreeSet<String> inArgs = new TreeSet<>(argfileNames("include-struct"));
        inArgs.addAll(argfileNames("include-union"));
        assertEquals(inArgs, new TreeSet<>(LAYOUTS.keySet()),
                "structs and unions in qtx_linux.args vs. those this test checks");
    }

    @Test
    void layoutsMatchC() {
        Map<String, Long> java = new LinkedHashMap<>();
        LAYOUTS.forEach((name, layout) -> {
            java.put("size " + name, layout.byteSize());
            java.put("align " + name, layout.byteAlignment());
            for (MemoryLayout member : layout.memberLayouts()) {
                if (member.name().isEmpty()) {
                    continue; // padding
                }
                String field = name + "." + member.name().get();
                PathElement path = PathElement.groupElement(member.name().get());
                java.put("offset " + field, layout.byteOffset(path));
                boolean flexibleArray = member instanceof SequenceLayout s && s.elementCount() == 0;
                if (!flexibleArray) { // C has no sizeof for a flexible array member
                    java.put("fsize " + field, layout.select(path).byteSize());
                }
            }
        });

        Map<String, Long> fromC = new LinkedHashMap<>(c);
        fromC.keySet().removeIf(k -> k.startsWith("const "));
        List<String> diffs = new ArrayList<>();
        java.forEach((key, value) -> {
            Long cValue = fromC.get(key);
            if (cValue == null) {
                diffs.add(key + ": Java " + value + ", not printed by layouts.c");
            } else if (cValue.longValue() != value) {
                diffs.add(key + ": Java " + value + ", C " + cValue);
            }
        });
        fromC.keySet().stream().filter(k -> !java.containsKey(k))
                .forEach(k -> diffs.add(k + ": C " + fromC.get(k) + ", no such generated layout or field"));
        assertTrue(diffs.isEmpty(), "generated layouts differ from C:\n  " + String.join("\n  ", diffs));
    }

    @Test
    void packedEpollEventIsTwelveBytesWithDataAtFour() {
        // The one layout whose C definition is unusual (__attribute__((packed)) on x86-64).
        assertEquals(c.get("size epoll_event"), epoll_event.layout().byteSize());
        assertEquals(c.get("offset epoll_event.data"), epoll_event.data$offset());
        if ("amd64".equals(System.getProperty("os.arch"))) {
            assertEquals(12, epoll_event.layout().byteSize());
            assertEquals(4, epoll_event.data$offset());
        }
    }

    @Test
    void constantsMatchC() throws ReflectiveOperationException {
        List<String> names = argfileNames("include-constant");
        assertTrue(names.size() > 50, "read only " + names.size() + " constants from " + ARGFILE);
        List<String> diffs = new ArrayList<>();
        for (String name : names) {
            Long cValue = c.get("const " + name);
            if (cValue == null) {
                diffs.add(name + ": not printed by layouts.c");
                continue;
            }
            Method m = Linux.class.getMethod(name);
            Object javaValue = m.invoke(null);
            String diff = switch (javaValue) {
                // An int constant equals C's value when C's fits in 32 bits, signed or unsigned
                // (EPOLLET is 1u << 31 in C and Integer.MIN_VALUE in Java).
                case Integer i -> (cValue >= Integer.MIN_VALUE && cValue <= 0xFFFF_FFFFL && i == cValue.intValue())
                        ? null : "int " + i;
                case Long l -> l.longValue() == cValue ? null : "long " + l;
                case MemorySegment s -> s.address() == cValue ? null : "address " + s.address();
                default -> "unexpected type " + javaValue.getClass().getName();
            };
            if (diff != null) {
                diffs.add(name + ": Java " + diff + ", C " + cValue);
            }
        }
        assertTrue(diffs.isEmpty(), "generated constants differ from C:\n  " + String.join("\n  ", diffs));
    }

    @Test
    void extraConstantsMatchCAndAreNotGenerated() throws IllegalAccessException {
        Set<String> generated = new HashSet<>(argfileNames("include-constant"));
        Set<String> fields = new HashSet<>();
        List<String> diffs = new ArrayList<>();
        for (Field f : ExtraConstants.class.getFields()) {
            String name = f.getName();
            fields.add(name);
            Long cValue = c.get("const " + name);
            long javaValue = ((Number) f.get(null)).longValue();
            if (generated.contains(name)) {
                diffs.add(name + ": generated now, delete it from ExtraConstants");
            } else if (cValue == null) {
                diffs.add(name + ": not printed by layouts.c");
            } else if (cValue != javaValue) {
                diffs.add(name + ": Java " + javaValue + ", C " + cValue);
            }
        }
        c.keySet().stream().filter(k -> k.startsWith("const ")).map(k -> k.substring("const ".length()))
                .filter(name -> !generated.contains(name) && !fields.contains(name))
                .forEach(name -> diffs.add(name + ": printed by layouts.c, no such generated or ExtraConstants constant"));
        assertTrue(fields.containsAll(Set.of("SIOCOUTQ", "PROT_NONE")), "fields: " + fields);
        assertTrue(diffs.isEmpty(), "hand-written constants differ from C:\n  " + String.join("\n  ", diffs));
    }

    @Test
    void trickyConstantsMatchC() {
        // A hand check of the reflection-based comparison above, for the ones that are easy to get wrong.
        assertEquals(c.get("const EPOLLET").intValue(), Linux.EPOLLET());
        assertEquals(c.get("const FIFREEZE"), Linux.FIFREEZE());
        assertEquals(c.get("const FITHAW"), Linux.FITHAW());
        assertEquals(c.get("const O_NONBLOCK").intValue(), Linux.O_NONBLOCK());
        assertEquals(c.get("const SOCK_NONBLOCK").intValue(), Linux.SOCK_NONBLOCK());
        assertEquals(c.get("const SOCK_CLOEXEC").intValue(), Linux.SOCK_CLOEXEC());
        assertEquals(c.get("const EWOULDBLOCK").intValue(), Linux.EAGAIN());
        assertEquals(-1L, Linux.MAP_FAILED().address());
    }

    /** The names given to {@code --<option>} in the argfile, in order. */
    private static List<String> argfileNames(String option) {
        Pattern p = Pattern.compile("^--" + Pattern.quote(option) + "\\s+(\\S+)");
        List<String> names = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(ARGFILE)) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    names.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + ARGFILE.toAbsolutePath(), e);
        }
        return names;
    }

    /** Runs a command with no pipes to this JVM (output through a file), returns its output. */
    private static String run(String what, List<String> command) throws Exception {
        Path log = work.resolve(what + ".out");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(log.toFile())
                .redirectErrorStream(true);
        Process proc;
        try {
            proc = pb.start();
        } catch (IOException e) {
            if (what.equals("gcc")) {
                fail("NativeLayoutTest needs gcc on PATH to compile " + LAYOUTS_C
                        + " (install it, e.g. Debian's gcc package): " + e.getMessage());
            }
            throw e;
        }
        if (!proc.waitFor(60, TimeUnit.SECONDS)) {
            proc.destroyForcibly().waitFor();
            fail(what + " did not finish within 60 s: " + String.join(" ", command));
        }
        String out = Files.readString(log);
        if (proc.exitValue() != 0) {
            fail(what + " exited with " + proc.exitValue() + ": " + String.join(" ", command) + "\n" + out);
        }
        return out;
    }
}
