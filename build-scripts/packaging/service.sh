# Shared by every .deb's and .rpm's maintainer scripts (pasted in, @WORDS@ filled, by
# build-scripts/packaging/lib.sh): start, restart, stop the service under whichever init system
# runs. A system without a running init (a chroot, an image build) gets the unit enabled and
# nothing started. The OpenRC script ships under /usr/share and is copied to /etc/init.d only
# where OpenRC runs: in /etc/init.d on a systemd system, its generator would make a second
# service of it.
qtx_unit=@UNIT@
qtx_rc=@OPENRC@
qtx_openrc_src=@OPENRC_SRC@
qtx_openrc=/etc/init.d/$qtx_rc

qtx_systemd_running() { [ -d /run/systemd/system ]; }
qtx_openrc_running() { command -v openrc-run >/dev/null 2>&1 && [ -d /run/openrc ]; }

# $1: start or restart
qtx_service_up() {
    if qtx_systemd_running; then
        systemctl daemon-reload || true
        systemctl enable "$qtx_unit" || true
        systemctl "$1" "$qtx_unit" || echo "@NAME@: systemctl $1 failed; see journalctl -u $qtx_unit" >&2
    elif qtx_openrc_running; then
        install -m 0755 "$qtx_openrc_src" "$qtx_openrc"
        rc-update add "$qtx_rc" default >/dev/null 2>&1 || true
        rc-service "$qtx_rc" "$1" || echo "@NAME@: rc-service $1 failed; see /var/log/$qtx_rc.log" >&2
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
            qtx_openrc_running && rc-service "$qtx_rc" stop || true
            rc-update del "$qtx_rc" default >/dev/null 2>&1 || true
            rm -f "$qtx_openrc"
        fi
        if command -v systemctl >/dev/null 2>&1; then
            systemctl disable "$qtx_unit" >/dev/null 2>&1 || true
        fi
    fi
}
