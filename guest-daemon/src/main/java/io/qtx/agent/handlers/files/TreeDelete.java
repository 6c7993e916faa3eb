package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

import io.qtx.agent.handlers.Errors;
import io.qtx.agent.policy.PathRules;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.DeleteReport;
import io.qtx.proto.ErrorCode;

/**
 * A recursive delete in two passes. The first visits the whole tree without following a
 * link and without entering another filesystem, and checks every path against the policy:
 * any closed path, or any mount point inside the tree, refuses the request before anything
 * is deleted. The second deletes children before their directory; if it stops part-way (an
 * I/O error, the deadline), the report says what is gone and what is left.
 */
final class TreeDelete {

    /** Where a path lives: st_dev; tests give other answers to stand for a mount point. */
    interface Devices {
        long of(Path path) throws IOException;

        static Devices system() {
            return path -> ((Number) Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
        }
    }

    /** Removes one path; tests make it fail where a real disk would (EPERM on an immutable file, EROFS). */
    interface Unlink {
        void delete(Path path) throws IOException;
    }

    /** The end of a delete that did not finish: the error code, its message and the report. */
    record Stopped(ErrorCode code, String message, DeleteReport report) {
    }

    private static final int LISTED = 100;

    private final PathRules rules;
    private final Devices devices;
    private final Unlink unlink;

    TreeDelete(PathRules rules, Devices devices, Unlink unlink) {
        this.rules = rules;
        this.devices = devices;
        this.unlink = unlink;
    }

    /** Deletes {@code root} and everything under it; null when all of it is gone. */
    Stopped delete(Path root, long deadlineNanos) throws IOException {
        Survey survey = new Survey(root, devices.of(root));
        Files.walkFileTree(root, survey);
        if (survey.refusedCount > 0) {
            DeleteReport report = DeleteReport.newBuilder()
                    .setKeptTotal(survey.order.size()).addAllKept(survey.refused).build();
            return new Stopped(ErrorCode.ERROR_CODE_NOT_ALLOWED, root + ": nothing deleted: " + survey.refusedCount
                    + " path(s) inside it may not be deleted, first: " + survey.refused.getFirst(), report);
        }
        return unlinkInOrder(root, survey.order, deadlineNanos);
    }

    /** Unlinks children before their directory; stops at the first path that cannot go. */
    private Stopped unlinkInOrder(Path root, List<Path> order, long deadlineNanos) {
        DeleteReport.Builder report = DeleteReport.newBuilder();
        for (int i = 0; i < order.size(); i++) {
            Path p = order.get(i);
            String why = null;
            ErrorCode code = ErrorCode.ERROR_CODE_INTERNAL;
            if (System.nanoTime() - deadlineNanos > 0) {
                why = "the request's deadline passed";
                code = ErrorCode.ERROR_CODE_TIMEOUT;
            } else {
                try {
                    unlink.delete(p);
                } catch (IOException e) {
                    var error = Errors.of(e).getError();
                    why = error.getMessage();
                    code = error.getCode();
                }
            }
            if (why != null) {
                report.setKeptTotal(order.size() - i).addKept(p + ": " + why);
                return new Stopped(code, root + ": stopped after deleting " + i + " of " + order.size()
                        + " paths: " + p + ": " + why, report.build());
            }
            report.setDeletedTotal(i + 1);
            if (report.getDeletedTotal() <= LISTED) {
                report.addDeleted(p.toString());
            }
        }
        return null;
    }

    /**
     * The whole tree checked before anything is unlinked, so a refusal anywhere deletes nothing:
     * the paths in delete order (children first) and why any of them may not go.
     */
    private final class Survey extends SimpleFileVisitor<Path> {
        private final Path root;
        private final long rootDevice;
        final List<Path> order = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        long refusedCount;

        Survey(Path root, long rootDevice) {
            this.root = root;
            this.rootDevice = rootDevice;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
            if (!dir.equals(root) && devices.of(dir) != rootDevice) {
                refuse(dir + ": another filesystem is mounted here; a recursive delete stays on " + root + "'s");
                return FileVisitResult.SKIP_SUBTREE;
            }
            check(dir);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            if (devices.of(file) != rootDevice) {
                refuse(file + ": another filesystem is mounted here; a recursive delete stays on " + root + "'s");
            } else {
                check(file);
            }
            order.add(file);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException failed) throws IOException {
            throw failed;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException failed) throws IOException {
            if (failed != null) {
                throw failed;
            }
            order.add(dir);
            return FileVisitResult.CONTINUE;
        }

        private void check(Path p) {
            try {
                rules.check(p.toString(), PathRules.Access.WRITE, false);
            } catch (Refusal r) {
                refuse(r.getMessage());
            }
        }

        private void refuse(String why) {
            refusedCount++;
            if (refused.size() < LISTED) {
                refused.add(why);
            }
        }
    }
}
