package io.qtx.agent;

import io.qtx.agent.handlers.admin.Freezer;
import io.qtx.agent.handlers.admin.PasswordHandler;
import io.qtx.agent.handlers.admin.PowerHandler;
import io.qtx.agent.handlers.admin.TimeHandlers;

/**
 * The actions that change the machine itself. The daemon uses the real ones; tests swap in
 * fakes so that a test run never powers off, freezes, re-clocks or re-passwords its host.
 */
public record SystemActions(PowerHandler.Actions power, Freezer freezer, TimeHandlers.Clock clock,
                            PasswordHandler.Setter password) {

    public static SystemActions real() {
        return new SystemActions(PowerHandler.system(), Freezer.ioctl(), TimeHandlers.system(),
                PasswordHandler.chpasswd());
    }
}
