package io.qtx.agent.handlers.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.qtx.agent.handlers.Audit;
import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.handlers.Users;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.Done;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;
import io.qtx.proto.SetPasswordRequest;

/**
 * Sets a user's password through chpasswd(8), the password on its standard input (never on
 * a command line, where ps would show it). The password appears in no log line and no
 * error message.
 */
public final class PasswordHandler implements RequestHandler {

    /** What changes the password; tests give a fake. */
    public interface Setter {
        void set(String user, String password, boolean crypted) throws IOException;
    }

    private final Setter setter;
    private final Users users;

    public PasswordHandler(Setter setter, Users users) {
        this.setter = setter;
        this.users = users;
    }

    @Override
    public RequestKind kind() {
        return RequestKind.REQUEST_KIND_SET_PASSWORD;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public String summary(Request request) {
        return "user=" + Audit.quote(request.getSetPassword().getUser())
                + (request.getSetPassword().getCrypted() ? " crypted" : "");
    }

    @Override
    public Response handle(Request request, RequestContext context) throws Refusal, IOException {
        SetPasswordRequest r = request.getSetPassword();
        String user = r.getUser();
        if (user.isEmpty() || user.contains(":") || user.contains("\n") || user.contains("\0")) {
            throw Refusal.badArgument("user name is empty or contains ':' or a line break");
        }
        if (r.getPassword().isEmpty() || r.getPassword().contains("\n") || r.getPassword().contains("\0")) {
            throw Refusal.badArgument("password is empty or contains a line break");
        }
        if (!users.exists(user)) {
            throw Refusal.badArgument("user " + user + ": the name service knows no such user");
        }
        setter.set(user, r.getPassword(), r.getCrypted());
        return Response.newBuilder().setDone(Done.getDefaultInstance()).build();
    }

    public static Setter chpasswd() {
        return (user, password, crypted) -> {
            List<String> argv = new ArrayList<>(List.of("chpasswd"));
            if (crypted) {
                argv.add("-e");
            }
            byte[] line = (user + ":" + password + "\n").getBytes(StandardCharsets.UTF_8);
            try {
                Commands.run(argv, line);
            } finally {
                java.util.Arrays.fill(line, (byte) 0);
            }
        };
    }
}
