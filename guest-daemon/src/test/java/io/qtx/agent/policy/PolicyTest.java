package io.qtx.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.agent.config.AgentConfig;
import io.qtx.agent.policy.PathRules.Access;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.RequestKind;

class PolicyTest {

    @TempDir
    Path tmp;

    @Test
    void deniedKindIsRefusedWithNotAllowed() throws Exception {
        AgentConfig c = AgentConfig.defaults().with(Map.of("requests.deny", "power,set_password"));
        Policy p = Policy.of(c);
        Refusal r = assertThrows(Refusal.class, () -> p.checkKind(RequestKind.REQUEST_KIND_POWER));
        assertEquals(ErrorCode.ERROR_CODE_NOT_ALLOWED, r.code());
        p.checkKind(RequestKind.REQUEST_KIND_EXEC);
        assertTrue(p.allows(RequestKind.REQUEST_KIND_FILE_READ));
    }

    @Test
    void execOffRefusesExecOnly() throws Exception {
        Policy p = Policy.of(AgentConfig.defaults().with(Map.of("exec.enabled", "false")));
        Refusal r = assertThrows(Refusal.class, () -> p.checkKind(RequestKind.REQUEST_KIND_EXEC));
        assertTrue(r.getMessage().contains("exec.enabled"));
        p.checkKind(RequestKind.REQUEST_KIND_SYSTEM_INFO);
    }

    private PathRules rules() throws Exception {
        Path real = tmp.toRealPath();
        Files.createDirectories(real.resolve("data/secret"));
        Files.createDirectories(real.resolve("outside"));
        return new PathRules(List.of(real.resolve("data")), List.of(real.resolve("data")),
                List.of(real.resolve("data/secret")));
    }

    @Test
    void pathInsideARootIsAllowedAndResolved() throws Exception {
        PathRules r = rules();
        Path real = tmp.toRealPath();
        assertEquals(real.resolve("data/new/file"), r.check(real + "/data/new/file", Access.WRITE, true));
    }

    @Test
    void dotDotRelativeEmptyAndNulAreBadArguments() throws Exception {
        PathRules r = rules();
        Path real = tmp.toRealPath();
        for (String bad : new String[] {real + "/data/../outside/x", "data/x", "", real + "/data/./x", "/a\0b"}) {
            Refusal e = assertThrows(Refusal.class, () -> r.check(bad, Access.READ, true), bad);
            assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, e.code(), bad);
        }
    }

    @Test
    void symlinkOutOfTheRootIsRefused() throws Exception {
        PathRules r = rules();
        Path real = tmp.toRealPath();
        Files.writeString(real.resolve("outside/f"), "x");
        Files.createSymbolicLink(real.resolve("data/link"), real.resolve("outside"));
        Refusal e = assertThrows(Refusal.class, () -> r.check(real + "/data/link/f", Access.READ, true));
        assertEquals(ErrorCode.ERROR_CODE_NOT_ALLOWED, e.code());
        Refusal w = assertThrows(Refusal.class, () -> r.check(real + "/data/link/new", Access.WRITE, true));
        assertEquals(ErrorCode.ERROR_CODE_NOT_ALLOWED, w.code());
        // The link itself sits inside the root: acting on it (not following) is allowed.
        assertEquals(real.resolve("data/link"), r.check(real + "/data/link", Access.WRITE, false));
    }

    @Test
    void linkIntoADeniedTreeIsRefused() throws Exception {
        PathRules r = rules();
        Path real = tmp.toRealPath();
        Files.createSymbolicLink(real.resolve("data/s"), real.resolve("data/secret"));
        Refusal e = assertThrows(Refusal.class, () -> r.check(real + "/data/s/key", Access.READ, true));
        assertEquals(ErrorCode.ERROR_CODE_NOT_ALLOWED, e.code());
    }

    @Test
    void danglingLinkIsNotWrittenThrough() throws Exception {
        PathRules r = rules();
        Path real = tmp.toRealPath();
        Files.createSymbolicLink(real.resolve("data/dangling"), real.resolve("outside/created-by-host"));
        Refusal e = assertThrows(Refusal.class, () -> r.check(real + "/data/dangling", Access.WRITE, true));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, e.code());
    }

    @Test
    void outsideAnyRootIsNotAllowed() throws Exception {
        PathRules r = rules();
        Refusal e = assertThrows(Refusal.class, () -> r.check("/etc/passwd", Access.READ, true));
        assertEquals(ErrorCode.ERROR_CODE_NOT_ALLOWED, e.code());
        assertTrue(Set.of(ErrorCode.ERROR_CODE_NOT_ALLOWED).contains(e.code()));
    }
}
