package io.qtx.node.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The API's bearer token on disk: one line, readable by its owner (and, on loopback, by a group
 * the operator chose), never by others. qx-node creates it on first start; qxctl reads it.
 */
public final class TokenFile {

    /** 32 random bytes: 43 characters of base64url. */
    private static final int RANDOM_BYTES = 32;
    /** A token an operator writes must not be guessable by brute force over the API. */
    static final int MIN_LENGTH = 16;

    private TokenFile() {
    }

    /** Why a token file cannot be used; the message is written for the operator. */
    public static final class Problem extends Exception {
        public Problem(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads and checks the token qx-node will require: not a symbolic link, owned by the user
     * running qx-node, neither readable nor writable by others; with {@code ownerOnly} (the API
     * is reachable from other hosts) not by its group either. Returns null when it does not exist.
     */
    public static String readForServer(Path file, boolean ownerOnly) throws Problem {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            throw new Problem("cannot inspect " + file + ": " + e.getMessage());
        }
        if (!a.isRegularFile()) {
            throw new Problem(file + " is not a regular file (a symbolic link is not accepted)");
        }
        String me = System.getProperty("user.name");
        if (!a.owner().getName().equals(me)) {
            throw new Problem(file + " is owned by " + a.owner().getName() + ", not by " + me
                    + " who runs qx-node (whoever owns it can change the token)");
        }
        Set<PosixFilePermission> p = a.permissions();
        if (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_WRITE)
                || p.contains(PosixFilePermission.GROUP_WRITE)) {
            throw new Problem(file + " has mode " + PosixFilePermissions.toString(p)
                    + ": others may read or change it (chmod 600, or 640 for a group that may use qxctl)");
        }
        if (ownerOnly && (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.GROUP_EXECUTE))) {
            throw new Problem(file + " has mode " + PosixFilePermissions.toString(p)
                    + ": with api.listen beyond loopback only its owner may read it (chmod 600)");
        }
        String token = read(file);
        if (token.length() < MIN_LENGTH) {
            throw new Problem(file + " holds " + token.length() + " characters; a token needs at least " + MIN_LENGTH);
        }
        return token;
    }

    /** The token in {@code file}: its first line, stripped, printable ASCII without spaces. */
    public static String read(Path file) throws Problem {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Problem("cannot read " + file + ": " + describe(e));
        }
        String token = text.strip();
        if (token.isEmpty()) {
            throw new Problem(file + " is empty");
        }
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new Problem(file + " must hold one token of printable ASCII without spaces");
        }
        return token;
    }

    /**
     * Creates {@code file} with a fresh random token, mode 0600 from the moment it exists, and
     * returns the token; when another process created it first, reads theirs.
     */
    public static String create(Path file) throws Problem {
        byte[] random = new byte[RANDOM_BYTES];
        new SecureRandom().nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwxr-xr-x")));
            }
            try (var out = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                out.write(java.nio.ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.US_ASCII)));
            }
            return token;
        } catch (FileAlreadyExistsException e) {
            return read(file);
        } catch (IOException e) {
            throw new Problem("cannot create " + file + ": " + describe(e));
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e instanceof NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
    }
}
