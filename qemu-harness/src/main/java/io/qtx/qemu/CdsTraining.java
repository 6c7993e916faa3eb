package io.qtx.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A CDS archive for one guest Java program, trained on the host. FFM's first downcalls spin
 * hundreds of LambdaForm classes at run time, which under TCG costs the guest seconds before
 * its first system call. Running the program here for a few seconds on the guest's own
 * runtime, with a FIFO standing in for the port, records which JDK classes it loads and which
 * LambdaForms it spins; a static dump of that list pre-generates them into the archive.
 *
 * <p>Only JDK classes go into the archive (the dump gets no class path), so the guest's class
 * path may differ from the host's. The archive holds class metadata only, no machine code, so
 * unlike an AOT cache it runs on the guest's CPU whatever this host's AVX level.
 */
final class CdsTraining {

    private static final Duration TRAINING = Duration.ofSeconds(3);

    private CdsTraining() {
    }

    /**
     * The archive for {@code mainClass} on {@code classPath}, made once per content of the class
     * path and reused from the work folder after that.
     */
    static synchronized Path archive(GuestImages images, List<Path> classPath, String mainClass,
            List<String> jvmOptions, List<String> args) throws IOException, InterruptedException {
        Path dir = QemuVm.logDir().resolveSibling("qemu-cds");
        Files.createDirectories(dir);
        String key = key(images, classPath, mainClass, args);
        Path archive = dir.resolve(key + ".jsa");
        if (Files.exists(archive)) {
            return archive;
        }
        Path java = images.runtime().resolve("bin/java");
        List<String> options = jvmOptions.stream().filter(o -> !o.startsWith("-Xshare")).toList();
        Path classList = dir.resolve(key + ".classlist");
        Path fifo = dir.resolve(key + ".port");
        Files.deleteIfExists(fifo);
        run(List.of("mkfifo", fifo.toString()), dir.resolve(key + ".mkfifo.log"), Duration.ofSeconds(10));

        List<String> train = new ArrayList<>(List.of(java.toString()));
        train.addAll(options);
        train.add("-XX:DumpLoadedClassList=" + classList);
        train.add("-cp");
        train.add(String.join(":", classPath.stream().map(Path::toString).toList()));
        train.add(mainClass);
        train.addAll(args);
        ProcessBuilder trainer = new ProcessBuilder(train).redirectErrorStream(true)
                .redirectOutput(dir.resolve(key + ".training.log").toFile());
        trainer.environment().put("QTX_PORT", fifo.toString());
        Process p = trainer.start();
        // A daemon-like program never ends by itself; SIGTERM lets the JVM finish the list.
        if (!p.waitFor(TRAINING.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        Files.deleteIfExists(fifo);

        Path partial = dir.resolve(key + ".jsa.tmp");
        List<String> dump = new ArrayList<>(List.of(java.toString(), "-Xshare:dump",
                "-XX:SharedClassListFile=" + classList, "-XX:SharedArchiveFile=" + partial));
        dump.addAll(options);
        Path dumpLog = dir.resolve(key + ".dump.log");
        int status = run(dump, dumpLog, Duration.ofSeconds(120));
        if (status != 0 || !Files.exists(partial)) {
            throw new IOException("CDS dump for " + mainClass + " failed with status " + status + "; see " + dumpLog);
        }
        Files.move(partial, archive);
        return archive;
    }

    private static int run(List<String> command, Path log, Duration limit) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException(String.join(" ", command) + " took over " + limit + "; see " + log);
        }
        return p.exitValue();
    }

    /** Changes with the runtime, the program and any class-path file's size or time. */
    private static String key(GuestImages images, List<Path> classPath, String mainClass, List<String> args)
            throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((images.initramfs() + "@" + Files.getLastModifiedTime(images.initramfs()) + mainClass + args)
                    .getBytes(StandardCharsets.UTF_8));
            for (Path entry : classPath) {
                try (Stream<Path> files = Files.walk(entry)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        sha.update((f + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis() + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            String name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
            return name + "-" + HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
