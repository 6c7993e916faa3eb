# Shared by the .deb's and the .rpm's maintainer scripts (pasted in at build time by
# build-scripts/agent-packages): start, restart, stop the agent under whichever init system
# runs. A system without a running init (a chroot, an image build) gets the unit enabled and
# nothing started.
qtx_unit=quantix-kvm-agent.service
qtx_openrc_src=/usr/share/quantix-kvm-agent/quantix-kvm-agent.openrc
qtx_openrc=/etc/init.d/quantix-kvm-agent

qtx_systemd_running() { [ -d /run/systemd/system ]; }
qtx_openrc_running() { command -v openrc-run >/dev/null 2>&1 && [ -d /run/openrc ]; }

# $1: start or restart
qtx_service_up() {
    if qtx_systemd_running; then
        systemctl daemon-reload || true
        systemctl enable "$qtx_unit" || true
        systemctl "$1" "$qtx_unit" || echo "quantix-kvm-agent: systemctl $1 failed; see journalctl -u $qtx_unit" >&2
    elif qtx_openrc_running; then
        install -m 0755 "$qtx_openrc_src" "$qtx_openrc"
        rc-update add quantix-kvm-agent default >/dev/null 2>&1 || true
        rc-service quantix-kvm-agent "$1" || echo "quantix-kvm-agent: rc-service $1 failed; see /var/log/quantix-kvm-agent.log" >&2
    elif command -v systemctl >/dev/null 2>&1; then
        # systemd installed but not running (chroot, image build): enabled for the first boot.
        systemctl enable "$qtx_unit" >/dev/null 2>&1 || true
    fi
}

qtx_service_down() {
    if qtx_systemd_running; then
        systemctl stop "$qtx_unit" || true
        systemctl disable "$qtx_unit" || true
    else
        if [ -x "$qtx_openrc" ]; then
            qtx_openrc_running && rc-service quantix-kvm-agent stop || true
            rc-update del quantix-kvm-agent default >/dev/null 2>&1 || true
            rm -f "$qtx_openrc"
        fi
        if command -v systemctl >/dev/null 2>&1; then
            systemctl disable "$qtx_unit" >/dev/null 2>&1 || true
        fi
    fi
}
