package io.qtx.agent.handlers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Users and groups. A user to run as is looked up through the system's name service
 * ({@code getent passwd}, which asks NSS: files, LDAP, sssd, systemd's dynamic users alike),
 * so what the agent accepts is what login and runuser accept. The uid-to-name maps that
 * stat and process listings print come from /etc/passwd and /etc/group only: they are for
 * show, and asking NSS once per file listed would be slow.
 */
public final class Users {

    /** One account as the name service has it. */
    public record Account(String name, int uid, int gid, String home, String shell) {
    }

    /** How long a name-service lookup may take (a dead LDAP server): then the user is "not found". */
    private static final long LOOKUP_MS = 5000;

    private final Path passwd;
    private final Path group;
    private final String getent;

    public Users(Path passwd, Path group, String getent) {
        this.passwd = passwd;
        this.group = group;
        this.getent = getent;
    }

    public static Users system() {
        String getent = Files.isExecutable(Path.of("/usr/bin/getent")) ? "/usr/bin/getent" : "/bin/getent";
        return new Users(Path.of("/etc/passwd"), Path.of("/etc/group"), getent);
    }

    /** uid to name (the first name listed for a uid). */
    public Map<Integer, String> users() {
        return ids(passwd);
    }

    public Map<Integer, String> groups() {
        return ids(group);
    }

    /** Whether the name service knows {@code name}. */
    public boolean exists(String name) {
        try {
            return account(name).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * {@code name}'s account from the name service; empty when it has none. A name that could
     * be read as an option or a uid, or that holds a separator, is nobody's.
     */
    public Optional<Account> account(String name) throws IOException {
        if (name.isEmpty() || name.length() > 256 || name.startsWith("-") || name.chars().allMatch(Character::isDigit)
                || name.chars().anyMatch(c -> c == ':' || c == '/' || c <= ' ' || c == 0x7f)) {
            return Optional.empty();
        }
        Process p = new ProcessBuilder(List.of(getent, "passwd", name)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try {
            if (!p.waitFor(LOOKUP_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("getent passwd " + name + ": no answer within " + LOOKUP_MS + " ms");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("getent passwd " + name + ": interrupted");
        }
        String out = new String(p.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8).strip();
        if (p.exitValue() == 2) {
            return Optional.empty();
        }
        if (p.exitValue() != 0) {
            throw new IOException("getent passwd " + name + ": exit status " + p.exitValue() + ": " + out);
        }
        String[] f = out.split("\n", 2)[0].split(":", -1);
        if (f.length < 7 || !f[0].equals(name)) {
            throw new IOException("getent passwd " + name + ": unexpected answer " + out);
        }
        try {
            return Optional.of(new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5], f[6]));
        } catch (NumberFormatException e) {
            throw new IOException("getent passwd " + name + ": unexpected answer " + out);
        }
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
