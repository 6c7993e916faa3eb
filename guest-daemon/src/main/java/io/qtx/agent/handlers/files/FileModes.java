package io.qtx.agent.handlers.files;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

import io.qtx.agent.policy.Refusal;

/** Permission bits to the JDK's permission sets. Set-id and sticky bits are not accepted. */
final class FileModes {

    private static final PosixFilePermission[] ORDER = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    private FileModes() {
    }

    static Set<PosixFilePermission> of(int mode, int defaultMode) throws Refusal {
        int m = mode == 0 ? defaultMode : mode;
        if ((m & ~0777) != 0) {
            throw Refusal.badArgument("mode " + Integer.toOctalString(m) + ": only permission bits (0777) may be set");
        }
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < 9; bit++) {
            if ((m & (1 << bit)) != 0) {
                out.add(ORDER[bit]);
            }
        }
        return out;
    }
}
