package io.qtx.qemu;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to boot one test VM. Build with {@link #of(String, GuestProgram)} and the {@code with}
 * methods.
 *
 * @param vmId      names the VM: its socket is {@code {socketDir}/{vmId}.agent.sock}
 * @param program   what the guest runs once its port is found
 * @param socketDir where QEMU makes the channel's socket; null for a fresh folder under /tmp
 *                  (a Unix socket path must stay under 108 bytes, which a build folder may not)
 * @param consoleLog the serial console log; null for {@code {qtx.qemu.logs}/{vmId}.console.log}
 * @param portName  the virtserialport's name, as libvirt's {@code <target name=.../>}
 * @param memoryMb  guest memory; the initramfs alone unpacks to about 70 MB
 * @param timeLimit after this the guest powers itself off, and a little later the host kills
 *                  QEMU even if the test JVM is gone
 * @param rtcBase   QEMU's {@code -rtc base=}: the guest's hardware clock at boot, e.g.
 *                  {@code 2026-12-02T05:00:00} to boot a guest whose clock is off; null for UTC now
 */
public record VmOptions(String vmId, GuestProgram program, Path socketDir, Path consoleLog, String portName,
        int memoryMb, Duration timeLimit, String rtcBase) {

    public static final String DEFAULT_PORT_NAME = "org.quantix.agent.0";
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(120);

    public VmOptions {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(portName, "portName");
        Objects.requireNonNull(timeLimit, "timeLimit");
        if (!vmId.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("vmId=" + vmId + " must be a plain file name");
        }
        if (memoryMb < 128) {
            throw new IllegalArgumentException("memoryMb=" + memoryMb + " is too small for the initramfs");
        }
        if (timeLimit.toSeconds() < 5) {
            throw new IllegalArgumentException("timeLimit=" + timeLimit + " is shorter than a boot");
        }
        if (rtcBase != null && !rtcBase.matches("utc|localtime|\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d")) {
            throw new IllegalArgumentException("rtcBase=" + rtcBase + " is not utc, localtime or YYYY-MM-DDThh:mm:ss");
        }
    }

    public static VmOptions of(String vmId, GuestProgram program) {
        return new VmOptions(vmId, program, null, null, DEFAULT_PORT_NAME, 512, DEFAULT_TIME_LIMIT, null);
    }

    public VmOptions withSocketDir(Path dir) {
        return new VmOptions(vmId, program, dir, consoleLog, portName, memoryMb, timeLimit, rtcBase);
    }

    public VmOptions withConsoleLog(Path log) {
        return new VmOptions(vmId, program, socketDir, log, portName, memoryMb, timeLimit, rtcBase);
    }

    public VmOptions withPortName(String name) {
        return new VmOptions(vmId, program, socketDir, consoleLog, name, memoryMb, timeLimit, rtcBase);
    }

    public VmOptions withMemoryMb(int mb) {
        return new VmOptions(vmId, program, socketDir, consoleLog, portName, mb, timeLimit, rtcBase);
    }

    public VmOptions withTimeLimit(Duration limit) {
        return new VmOptions(vmId, program, socketDir, consoleLog, portName, memoryMb, limit, rtcBase);
    }

    /** Boots the guest with its hardware clock at {@code base} (QEMU's -rtc base=). */
    public VmOptions withRtcBase(java.time.LocalDateTime base) {
        String text = base.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .format(java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        return new VmOptions(vmId, program, socketDir, consoleLog, portName, memoryMb, timeLimit, text);
    }
}
