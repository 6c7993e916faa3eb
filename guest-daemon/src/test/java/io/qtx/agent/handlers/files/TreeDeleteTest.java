package io.qtx.agent.handlers.files;

import static io.qtx.agent.handlers.Requests.context;
import static io.qtx.agent.handlers.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.policy.PathRules;
import io.qtx.proto.DeleteRequest;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.Response;

/** Recursive delete: every visited path against the policy, one filesystem, a report when it stops. */
class TreeDeleteTest {

    @TempDir
    Path tmp;
    Path root;
    Path tree;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(tmp.toRealPath().resolve("root"));
        tree = Files.createDirectories(root.resolve("tree/a/b"));
        Files.writeString(tree.resolve("f1"), "1");
        Files.writeString(root.resolve("tree/a/f2"), "2");
        Files.createDirectories(root.resolve("tree/keep/inner"));
        Files.writeString(root.resolve("tree/keep/inner/secret"), "s");
        Files.writeString(root.resolve("tree/top"), "t");
    }

    private Response delete(DeleteHandler handler, Path path, RequestContext context) throws Exception {
        return handler.handle(request().setDelete(DeleteRequest.newBuilder().setPath(path.toString())
                .setRecursive(true)).build(), context);
    }

    @Test
    void aClosedTreeInsideTheTargetRefusesTheWholeDeleteBeforeAnythingGoes() throws Exception {
        PathRules rules = new PathRules(List.of(root), List.of(root), List.of(root.resolve("tree/keep")));
        Response r = delete(new DeleteHandler(rules), root.resolve("tree"), context());
        assertEquals(ErrorCode.ERROR_CODE_NOT_ALLOWED, r.getError().getCode());
        assertTrue(r.getError().getMessage().contains("nothing deleted"), r.getError().getMessage());
        var report = r.getError().getDeleteReport();
        assertEquals(0, report.getDeletedTotal());
        assertEquals(3, report.getKeptList().size(), "keep, keep/inner, keep/inner/secret: " + report.getKeptList());
        assertTrue(report.getKept(0).contains(root.resolve("tree/keep").toString()));
        assertTrue(Files.exists(root.resolve("tree/a/b/f1")), "nothing deleted");
        assertTrue(Files.exists(root.resolve("tree/keep/inner/secret")));
    }

    @Test
    void anotherFilesystemInsideTheTreeIsNeverEntered() throws Exception {
        PathRules rules = new PathRules(List.of(root), List.of(root), List.of());
        Path mounted = root.resolve("tree/keep");
        TreeDelete.Devices devices = p -> p.startsWith(mounted) ? 2 : 1;
        Response r = delete(new DeleteHandler(rules, devices, Files::delete), root.resolve("tree"), context());
        assertEquals(ErrorCode.ERROR_CODE_NOT_ALLOWED, r.getError().getCode());
        var report = r.getError().getDeleteReport();
        assertEquals(List.of(mounted + ": another filesystem is mounted here; a recursive delete stays on "
                + root.resolve("tree") + "'s"), report.getKeptList(), "its contents were not even visited");
        assertTrue(Files.exists(root.resolve("tree/top")));
    }

    @Test
    void aDeleteThatStopsPartWayReportsWhatIsGoneAndWhatIsLeft() throws Exception {
        PathRules rules = new PathRules(List.of(root), List.of(root), List.of());
        Path stuck = root.resolve("tree/a/b/f1");
        List<Path> gone = new java.util.ArrayList<>();
        DeleteHandler handler = new DeleteHandler(rules, p -> 1, p -> {
            if (p.equals(stuck)) {
                throw new java.nio.file.AccessDeniedException(p.toString(), null, "operation not permitted (immutable)");
            }
            Files.delete(p);
            gone.add(p);
        });
        Response r = delete(handler, root.resolve("tree"), context());
        assertEquals(ErrorCode.ERROR_CODE_PERMISSION_DENIED, r.getError().getCode(), r.toString());
        var report = r.getError().getDeleteReport();
        assertEquals(gone.size(), report.getDeletedTotal());
        assertEquals(gone.stream().map(Path::toString).toList(), report.getDeletedList());
        gone.forEach(p -> assertFalse(Files.exists(p, LinkOption.NOFOLLOW_LINKS), p + " reported deleted"));
        assertTrue(report.getKept(0).startsWith(stuck + ": "), report.getKept(0));
        assertTrue(Files.exists(stuck));
        assertTrue(Files.exists(root.resolve("tree/a/b")), "its directory is left too");
        assertEquals(9 - gone.size(), report.getKeptTotal(), "9 paths in the tree");
    }

    @Test
    void theDeadlineStopsADeleteBeforeTheNextPath() throws Exception {
        PathRules rules = new PathRules(List.of(root), List.of(root), List.of());
        RequestContext passed = new RequestContext(1 << 20, System.nanoTime() - 1);
        Response r = delete(new DeleteHandler(rules), root.resolve("tree"), passed);
        assertEquals(ErrorCode.ERROR_CODE_TIMEOUT, r.getError().getCode());
        assertEquals(0, r.getError().getDeleteReport().getDeletedTotal());
        assertTrue(Files.exists(root.resolve("tree/a/b/f1")));
    }

    @Test
    void aWholeTreeGoesWithoutFollowingLinksOut() throws Exception {
        Path outside = Files.createDirectory(tmp.toRealPath().resolve("outside"));
        Files.writeString(outside.resolve("precious"), "p");
        Files.createSymbolicLink(root.resolve("tree/a/link"), outside);
        PathRules rules = new PathRules(List.of(root), List.of(root), List.of());
        Response r = delete(new DeleteHandler(rules), root.resolve("tree"), context());
        assertTrue(r.hasDone(), r.toString());
        assertFalse(Files.exists(root.resolve("tree"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(outside.resolve("precious")));
    }
}
