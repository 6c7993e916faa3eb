package io.qtx.agent.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Which paths the host may read and change. A path is checked after it is resolved the way
 * the kernel will resolve it: every symbolic link in it followed (the last one too, unless
 * the request acts on the link itself), so a link cannot lead out of an allowed tree. Paths
 * must be absolute and may not contain "." or ".." components at all: the host has no
 * reason to send them, and refusing them is simpler to trust than normalising them.
 *
 * <p>The check and the use are two steps; a local user who swaps a directory for a link in
 * between can still win that race. The agent runs requests for the host, not against local
 * users, so this is documented rather than closed with openat2(RESOLVE_BENEATH).
 */
public final class PathRules {

    /** What a request does to the path. */
    public enum Access { READ, WRITE }

    private final List<Path> readRoots;
    private final List<Path> writeRoots;
    private final List<Path> denyRoots;

    public PathRules(List<Path> readRoots, List<Path> writeRoots, List<Path> denyRoots) {
        this.readRoots = List.copyOf(readRoots);
        this.writeRoots = List.copyOf(writeRoots);
        this.denyRoots = List.copyOf(denyRoots);
    }

    /**
     * The resolved path for {@code raw}, if {@code access} to it is allowed. With
     * {@code followLast} false the last component is not followed (delete, lstat act on a
     * link itself); its directory still is.
     */
    public Path check(String raw, Access access, boolean followLast) throws Refusal {
        Path resolved = resolve(raw, followLast);
        for (Path deny : denyRoots) {
            if (resolved.startsWith(deny)) {
                throw Refusal.notAllowed(raw + ": under " + deny + ", which the agent's policy closes");
            }
        }
        List<Path> roots = access == Access.READ ? readRoots : writeRoots;
        for (Path root : roots) {
            if (resolved.startsWith(root)) {
                return resolved;
            }
        }
        throw Refusal.notAllowed(raw + (resolved.toString().equals(raw) ? "" : " (" + resolved + ")")
                + ": outside the paths the agent's policy lets the host " + (access == Access.READ ? "read" : "change"));
    }

    /** {@code raw} with its links resolved; components that do not exist yet are kept as given. */
    static Path resolve(String raw, boolean followLast) throws Refusal {
        if (raw == null || raw.isEmpty()) {
            throw Refusal.badArgument("path is empty");
        }
        if (raw.indexOf('\0') >= 0) {
            throw Refusal.badArgument("path contains a NUL byte");
        }
        Path path = Path.of(raw);
        if (!path.isAbsolute()) {
            throw Refusal.badArgument(raw + ": path is not absolute");
        }
        for (Path part : path) {
            String name = part.toString();
            if (name.equals("..") || name.equals(".")) {
                throw Refusal.badArgument(raw + ": path contains '" + name + "'");
            }
        }
        try {
            if (path.getParent() == null) {
                return path.toRealPath();
            }
            if (!followLast) {
                return realPrefix(path.getParent()).resolve(path.getFileName());
            }
            if (Files.isSymbolicLink(path) && !Files.exists(path)) {
                throw Refusal.badArgument(raw + ": a symbolic link to nothing");
            }
            return realPrefix(path);
        } catch (IOException e) {
            throw Refusal.badArgument(raw + ": " + e.getMessage());
        }
    }

    /** The real path of the longest existing prefix of {@code path}, with the rest appended. */
    private static Path realPrefix(Path path) throws IOException {
        Path existing = path;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        Path real = existing.toRealPath();
        return real.resolve(existing.relativize(path));
    }
}
