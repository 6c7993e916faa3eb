package io.qtx.qemu;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a test VM runs once its port is found: a shell script, or a Java main on the guest's
 * jlinked runtime, plus the host files it needs. The guest's /init runs it as {@code /qtx/run}
 * with {@code QTX_PORT} set to the port's device ({@code /dev/vportNpM}).
 *
 * @param script the body of {@code /qtx/run}, a busybox {@code sh} script
 * @param files  host files or folders to copy in, by guest path
 */
public record GuestProgram(String script, Map<String, Path> files) {

    /**
     * JVM options for the guest, chosen for start-up speed under TCG: C1 only, the serial
     * collector, no perf-data file, and the runtime's default CDS archive.
     */
    public static final List<String> GUEST_JVM_OPTIONS = List.of("-Xshare:auto", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xmx64m", "-Xss512k",
            "--enable-native-access=ALL-UNNAMED");

    /** Where a trained archive goes in the guest. */
    static final String GUEST_ARCHIVE = "/qtx/cds/app.jsa";

    public GuestProgram {
        files = Map.copyOf(files);
    }

    /** A busybox shell script, with nothing copied in. */
    public static GuestProgram shell(String script) {
        return new GuestProgram(script, Map.of());
    }

    /**
     * Runs {@code mainClass} with {@code args}; the class path is the jar or classes folder of
     * {@code mainClass} and of each class in {@code alsoFrom} (the libraries it uses).
     */
    public static GuestProgram java(Class<?> mainClass, List<Class<?>> alsoFrom, String... args) {
        return java(classPathOf(mainClass, alsoFrom), mainClass.getName(), List.of(), args);
    }

    private static List<Path> classPathOf(Class<?> mainClass, List<Class<?>> alsoFrom) {
        Set<Path> classPath = new LinkedHashSet<>();
        classPath.add(codeSource(mainClass));
        alsoFrom.forEach(c -> classPath.add(codeSource(c)));
        return List.copyOf(classPath);
    }

    /**
     * Like {@link #java(Class, List, String...)}, with a CDS archive trained on this host for the
     * program (see {@link CdsTraining}): FFM start-up in the guest then takes about half as
     * long. The training runs the program here for a few seconds with {@code QTX_PORT} set to a
     * FIFO, so it must run on any character-device-like file.
     */
    public static GuestProgram javaTrainedOnHost(Class<?> mainClass, List<Class<?>> alsoFrom, String... args)
            throws IOException, InterruptedException {
        List<Path> classPath = classPathOf(mainClass, alsoFrom);
        Path archive = CdsTraining.archive(GuestImages.load(), classPath, mainClass.getName(), GUEST_JVM_OPTIONS,
                List.of(args));
        GuestProgram plain = java(classPath, mainClass.getName(), List.of("-XX:SharedArchiveFile=" + GUEST_ARCHIVE), args);
        Map<String, Path> files = new LinkedHashMap<>(plain.files());
        files.put(GUEST_ARCHIVE, archive);
        return new GuestProgram(plain.script(), files);
    }

    /** Runs {@code mainClass} from {@code classPath} (jars or classes folders) on the guest runtime. */
    public static GuestProgram java(List<Path> classPath, String mainClass, List<String> extraJvmOptions, String... args) {
        Map<String, Path> files = new LinkedHashMap<>();
        List<String> guestClassPath = new ArrayList<>();
        int i = 0;
        for (Path entry : classPath) {
            String guestPath = "/qtx/app/" + i++ + "-" + entry.getFileName();
            files.put(guestPath, entry);
            guestClassPath.add(guestPath);
        }
        List<String> command = new ArrayList<>();
        command.add("/opt/jre/bin/java");
        command.addAll(GUEST_JVM_OPTIONS);
        command.addAll(extraJvmOptions);
        command.add("-cp");
        command.add(String.join(":", guestClassPath));
        command.add(mainClass);
        command.addAll(List.of(args));
        StringBuilder script = new StringBuilder("exec");
        command.forEach(word -> script.append(' ').append(shellQuote(word)));
        return new GuestProgram(script.toString(), files);
    }

    /** Writes this program into {@code cpio} as {@code /qtx/run} plus its files. */
    void writeTo(CpioWriter cpio) throws IOException {
        for (Map.Entry<String, Path> file : files.entrySet()) {
            cpio.copy(file.getValue(), file.getKey());
        }
        cpio.file("/qtx/run", 0755, ("#!/bin/sh\n" + script + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static String shellQuote(String word) {
        if (word.matches("[A-Za-z0-9_@%+=:,./-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static Path codeSource(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        if (source == null) {
            throw new IllegalArgumentException(c.getName() + " has no code source (a JDK class?)");
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(c.getName() + " comes from " + source.getLocation(), e);
        }
    }
}
