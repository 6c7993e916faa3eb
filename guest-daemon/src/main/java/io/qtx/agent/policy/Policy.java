package io.qtx.agent.policy;

import java.util.Set;

import io.qtx.agent.config.AgentConfig;
import io.qtx.agent.config.RequestKinds;
import io.qtx.proto.RequestKind;

/** What the host may ask of this agent: request kinds, exec, and paths. */
public final class Policy {

    private final Set<RequestKind> allowed;
    private final boolean execEnabled;
    private final PathRules paths;

    public Policy(Set<RequestKind> allowed, boolean execEnabled, PathRules paths) {
        this.allowed = Set.copyOf(allowed);
        this.execEnabled = execEnabled;
        this.paths = paths;
    }

    public static Policy of(AgentConfig config) {
        return new Policy(config.allowed(), config.execEnabled(),
                new PathRules(config.readPaths(), config.writePaths(), config.denyPaths()));
    }

    /** Passes when {@code kind} is allowed; a {@link Refusal} with NOT_ALLOWED otherwise. */
    public void checkKind(RequestKind kind) throws Refusal {
        if (!allowed.contains(kind)) {
            throw Refusal.notAllowed(RequestKinds.name(kind) + " is not allowed by the agent's policy");
        }
        if (kind == RequestKind.REQUEST_KIND_EXEC && !execEnabled) {
            throw Refusal.notAllowed("exec is turned off in the agent's policy (exec.enabled)");
        }
    }

    public boolean allows(RequestKind kind) {
        return allowed.contains(kind) && (kind != RequestKind.REQUEST_KIND_EXEC || execEnabled);
    }

    public PathRules paths() {
        return paths;
    }
}
