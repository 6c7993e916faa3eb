package io.qtx.qemu;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One real QEMU guest under TCG, with a virtio-serial channel exactly as libvirt writes it:
 * QEMU listens on {@code {dir}/{vmId}.agent.sock} ({@code server=on,wait=off}) and the guest
 * sees a {@code virtserialport} named {@code org.quantix.agent.0}. The guest is the cached
 * kernel and base initramfs of {@code build-scripts/qemu/setup} plus the test's
 * {@link GuestProgram}, appended as a second cpio archive.
 *
 * <p>Every VM is bounded three ways: the guest powers itself off at the time limit, QEMU runs
 * under {@code timeout(1)} so it is killed a little later even if this JVM has died, and a
 * shutdown hook kills whatever is still running when this JVM exits. {@link #close()} powers
 * the guest off cleanly and kills it if it does not go.
 */
public final class QemuVm implements AutoCloseable {

    /** The line the guest's /init prints once the port is found. */
    static final Pattern READY = Pattern.compile("qtx-init: ready port=(\\S+) name=(\\S+) uptime=([0-9.]+)");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration POWER_OFF_WAIT = Duration.ofSeconds(15);
    private static final int UNIX_PATH_MAX = 107;
    private static final Set<QemuVm> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(QemuVm::kill), "qemu-vm-reaper"));
    }

    private final VmOptions options;
    private final Path dir;
    private final boolean ownsDir;
    private final Path socket;
    private final Path initrd;
    private final Process process;
    private final OutputStream consoleInput;
    private final Console console;
    private final long startNanos;
    private volatile Duration bootToReady;
    private volatile String guestPort;
    private boolean closed;

    private QemuVm(VmOptions options, GuestImages images) throws IOException {
        this.options = options;
        this.ownsDir = options.socketDir() == null;
        this.dir = ownsDir ? Files.createTempDirectory("qtx-vm-") : Files.createDirectories(options.socketDir());
        this.socket = dir.resolve(options.vmId() + ".agent.sock");
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > UNIX_PATH_MAX) {
            throw new IllegalArgumentException("socket path " + socket + " is longer than a Unix socket allows");
        }
        Files.deleteIfExists(socket);
        this.initrd = dir.resolve(options.vmId() + ".initrd");
        writeInitrd(images.initramfs(), options.program(), initrd);
        Path log = options.consoleLog() != null ? options.consoleLog()
                : logDir().resolve(options.vmId() + ".console.log");
        ProcessBuilder builder = new ProcessBuilder(command(images)).redirectErrorStream(true);
        this.startNanos = System.nanoTime();
        this.process = builder.start();
        LIVE.add(this);
        this.consoleInput = process.getOutputStream();
        this.console = new Console(options.vmId(), process.getInputStream(), log, startNanos);
    }

    /** Boots a VM and waits until its port is found; prints the boot-to-ready time. */
    public static QemuVm boot(VmOptions options) throws IOException, InterruptedException {
        QemuVm vm = start(options);
        try {
            vm.awaitReady();
            return vm;
        } catch (RuntimeException | Error | InterruptedException e) {
            vm.kill();
            vm.close();
            throw e;
        }
    }

    /** Starts a VM without waiting, so several can boot at once; then {@link #awaitReady()}. */
    public static QemuVm start(VmOptions options) throws IOException {
        return new QemuVm(options, GuestImages.load());
    }

    /**
     * Waits for the guest's /init to find the port and returns the time from QEMU's start to
     * then, which it also prints, so a slower boot shows in the build's output.
     */
    public Duration awaitReady() throws InterruptedException {
        if (bootToReady == null) {
            Matcher ready = console.await(READY, READY_TIMEOUT, this::isRunning);
            bootToReady = Duration.ofNanos(console.lastMatchNanos() - startNanos);
            guestPort = ready.group(1);
            System.out.printf("qemu: vm %s ready in %.2f s (guest uptime %s s, port %s)%n", options.vmId(),
                    bootToReady.toNanos() / 1e9, ready.group(3), guestPort);
        }
        return bootToReady;
    }

    private List<String> command(GuestImages images) {
        long limit = options.timeLimit().toSeconds();
        List<String> c = new ArrayList<>();
        // The host-side bound: outlives this JVM, so a crashed test run leaves no QEMU behind.
        c.addAll(List.of("timeout", "--kill-after=5", String.valueOf(limit + 15)));
        c.add(images.qemu().toString());
        c.addAll(List.of("-accel", "tcg", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-m", String.valueOf(options.memoryMb()), "-smp", "1",
                "-rtc", "base=" + (options.rtcBase() == null ? "utc" : options.rtcBase()),
                "-kernel", images.kernel().toString(), "-initrd", initrd.toString(),
                "-append", "console=ttyS0 panic=-1 quiet qtx.port=" + options.portName() + " qtx.limit=" + limit,
                "-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console",
                // The channel as libvirt writes <channel type='unix'> with <source mode='bind'>.
                "-chardev", "socket,id=charchannel0,path=" + socket + ",server=on,wait=off",
                "-device", "virtio-serial-pci,id=virtio-serial0",
                "-device", "virtserialport,bus=virtio-serial0.0,nr=1,chardev=charchannel0,id=channel0,name="
                        + options.portName()));
        return c;
    }

    private static void writeInitrd(Path base, GuestProgram program, Path target) throws IOException {
        Files.copy(base, target);
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.APPEND);
                CpioWriter cpio = new CpioWriter(new java.io.BufferedOutputStream(out, 1 << 16))) {
            program.writeTo(cpio);
        }
    }

    static Path logDir() {
        String configured = System.getProperty("qtx.qemu.logs");
        return Path.of(configured != null && !configured.isBlank() ? configured : "target/qemu-logs");
    }

    public String vmId() {
        return options.vmId();
    }

    /** The host end of the channel: QEMU's listening socket, {@code {dir}/{vmId}.agent.sock}. */
    public Path socketPath() {
        return socket;
    }

    /** The serial console log, one line per console line, stamped with seconds since start. */
    public Path consoleLog() {
        return console.log();
    }

    /** The guest's port device, e.g. {@code /dev/vport0p1}; null before {@link #awaitReady()}. */
    public String guestPort() {
        return guestPort;
    }

    /** When QEMU was started, on the {@link System#nanoTime()} clock. */
    public long startNanos() {
        return startNanos;
    }

    /** Time since QEMU was started. */
    public Duration sinceStart() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** QEMU start to port found; null before {@link #awaitReady()}. */
    public Duration bootToReady() {
        return bootToReady;
    }

    /**
     * Waits for the next console line matching {@code regex} (anywhere in the line) and returns
     * its match; the console is read in order, like expect.
     *
     * @throws AssertionError on timeout, or when the VM stops first, with the console's tail
     */
    public Matcher awaitConsoleLine(String regex, Duration timeout) throws InterruptedException {
        return console.await(Pattern.compile(regex), timeout, this::isRunning);
    }

    /** Every console line so far. */
    public List<String> consoleLines() {
        return console.lines();
    }

    /**
     * Types a line on the guest's console. The guest's /init understands {@code qtx-poweroff}
     * and {@code qtx-touch NAME} (creates {@code /tmp/NAME}, a go signal for the program).
     */
    public void sendConsoleLine(String line) throws IOException {
        synchronized (consoleInput) {
            consoleInput.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            consoleInput.flush();
        }
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Waits for QEMU to exit by itself (the guest's program ended); its exit status, or -1 on timeout. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** Kills QEMU at once (SIGKILL), as a host crash would; the guest gets no say. */
    public void kill() {
        // QEMU is timeout(1)'s child: killing timeout alone would orphan it.
        try (Stream<ProcessHandle> children = process.descendants()) {
            children.forEach(ProcessHandle::destroyForcibly);
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Powers the guest off (its /init does {@code poweroff -f} on request), asks QEMU to quit
     * (SIGTERM) if that does not work, and kills it last; then removes the VM's files but the
     * console log. Always leaves no QEMU running.
     */
    @Override
    public void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (process.isAlive()) {
                try {
                    sendConsoleLine("qtx-poweroff");
                } catch (IOException e) {
                    // QEMU is going away already.
                }
                if (!process.waitFor(POWER_OFF_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    try (Stream<ProcessHandle> children = process.descendants()) {
                        children.forEach(ProcessHandle::destroy);
                    }
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        kill();
                    }
                }
            }
        } finally {
            if (process.isAlive()) {
                kill();
            }
            LIVE.remove(this);
            try {
                consoleInput.close();
            } catch (IOException e) {
                // The pipe's reader is gone with QEMU.
            }
            console.join(Duration.ofSeconds(10));
            deleteFiles();
        }
    }

    private void deleteFiles() {
        try {
            Files.deleteIfExists(initrd);
            Files.deleteIfExists(socket);
            if (ownsDir) {
                try (Stream<Path> rest = Files.walk(dir)) {
                    for (Path p : rest.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("qemu: vm " + options.vmId() + ": cannot remove " + dir + ": " + e);
        }
    }

    @Override
    public String toString() {
        return "QemuVm[" + options.vmId() + (isRunning() ? ", running" : ", stopped") + ", " + socket + "]";
    }
}
