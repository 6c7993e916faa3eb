package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.qtx.agent.handlers.Audit;
import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.handlers.Users;
import io.qtx.agent.policy.PathRules;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.FileStat;
import io.qtx.proto.ListDirPage;
import io.qtx.proto.ListDirRequest;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;

/**
 * A page of a directory, entries sorted by name (Java string order) so pages are stable
 * while the directory is unchanged. Entries are lstat'ed: a link is listed as a link.
 */
public final class ListDirHandler implements RequestHandler {

    static final int DEFAULT_PAGE = 256;
    static final int MAX_PAGE = 4096;

    private final PathRules rules;
    private final Users users;

    public ListDirHandler(PathRules rules, Users users) {
        this.rules = rules;
        this.users = users;
    }

    @Override
    public RequestKind kind() {
        return RequestKind.REQUEST_KIND_LIST_DIR;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public String summary(Request request) {
        return "path=" + Audit.quote(request.getListDir().getPath()) + " offset=" + request.getListDir().getOffset();
    }

    @Override
    public Response handle(Request request, RequestContext context) throws Refusal, IOException {
        ListDirRequest r = request.getListDir();
        Path dir = rules.check(r.getPath(), PathRules.Access.READ, true);
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(r.getPath());
        }
        if (!Files.isDirectory(dir)) {
            throw Refusal.badArgument(r.getPath() + ": not a directory");
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        int page = r.getPageSize() == 0 ? DEFAULT_PAGE : Math.min(r.getPageSize(), MAX_PAGE);
        int from = Math.min(r.getOffset(), names.size());
        ListDirPage.Builder out = ListDirPage.newBuilder();
        int budget = context.maxResponseBytes() - 64;
        int i = from;
        for (; i < names.size() && i - from < page; i++) {
            FileStat entry;
            try {
                entry = FileStats.of(dir.resolve(names.get(i)), names.get(i), false, users);
            } catch (NoSuchFileException gone) {
                continue; // deleted while we listed
            }
            budget -= entry.getSerializedSize() + 4;
            if (budget < 0) {
                break;
            }
            out.addEntries(entry);
        }
        return Response.newBuilder().setListDir(out.setMore(i < names.size()).setNextOffset(i)).build();
    }
}
