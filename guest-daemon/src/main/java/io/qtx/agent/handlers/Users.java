package io.qtx.agent.handlers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * User and group names from /etc/passwd and /etc/group. Users only known through NSS
 * (LDAP, sssd) are not seen: the agent runs in plain cloud images, and this keeps it free of
 * a getpwnam binding.
 */
public final class Users {

    private final Path passwd;
    private final Path group;

    public Users(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
    }

    public static Users system() {
        return new Users(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    /** uid to name (the first name listed for a uid). */
    public Map<Integer, String> users() {
        return ids(passwd);
    }

    public Map<Integer, String> groups() {
        return ids(group);
    }

    /** Whether {@code name} is a user in /etc/passwd. */
    public boolean exists(String name) {
        return users().containsValue(name);
    }

    private static Map<Integer, String> ids(Path file) {
        Map<Integer, String> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split(":");
                if (f.length >= 3) {
                    try {
                        out.putIfAbsent(Integer.parseInt(f[2]), f[0]);
                    } catch (NumberFormatException e) {
                        // a malformed line names nobody
                    }
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
