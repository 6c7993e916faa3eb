#!/bin/sh
# Installs quantix-kvm-agent from this disc (build-scripts/agent-iso makes it) into the running
# VM: the .deb where dpkg is the package manager, the .rpm where rpm is, else the generic
# tarball into /opt; then enables and starts the service under systemd or OpenRC (or, with
# neither, starts the agent once in the background) and says what it did.
#
#   sh install.sh [--method deb|rpm|tarball] [--port NAME] [--no-port-check]
#   sh install.sh --uninstall [--purge]
#
# It refuses, changing nothing, when not run as root or when the VM has no virtio-serial port
# named NAME (org.quantix.agent.0): the agent would have no host to talk to. A plain POSIX sh
# script: the guest may have only busybox.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
port_name=org.quantix.agent.0
method=""
action=install
port_check=1
purge=0
# For tests: another sysfs and root to look at and install into.
sysfs=${QTX_SYSFS:-/sys}

say() { echo "install.sh: $*"; }
die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --uninstall) action=uninstall ;;
        --purge) purge=1 ;;
        --method) [ $# -ge 2 ] || die "--method needs deb, rpm or tarball"; method=$2; shift ;;
        --port) [ $# -ge 2 ] || die "--port needs a name"; port_name=$2; shift ;;
        --no-port-check) port_check=0 ;;
        -h|--help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
    shift
done
case $method in ""|deb|rpm|tarball) ;; *) die "--method must be deb, rpm or tarball, not '$method'" ;; esac

[ "$(id -u)" = 0 ] || die "must run as root: sudo sh $0 $* (nothing was changed)"

# --- what this system is --------------------------------------------------------------------
distro="unknown distribution"
os_ids=""
if [ -r /etc/os-release ]; then
    distro=$(. /etc/os-release && echo "${PRETTY_NAME:-${NAME:-unknown}}")
    os_ids=$(. /etc/os-release && echo "${ID:-} ${ID_LIKE:-}")
fi
if [ -d /run/systemd/system ]; then
    init=systemd
elif [ -d /run/openrc ] || { command -v openrc-run >/dev/null 2>&1 && command -v rc-service >/dev/null 2>&1; }; then
    init=openrc
else
    init=none
fi
has() { command -v "$1" >/dev/null 2>&1; }
if [ -z "$method" ]; then
    case " $os_ids " in
        *" debian "*|*" ubuntu "*) has dpkg && method=deb ;;
        *" rhel "*|*" fedora "*|*" centos "*|*" suse "*|*" opensuse "*|*" rocky "*|*" almalinux "*) has rpm && method=rpm ;;
    esac
    if [ -z "$method" ]; then
        if has dpkg && ! has rpm; then method=deb
        elif has rpm && ! has dpkg; then method=rpm
        else method=tarball
        fi
    fi
fi

pkg() { ls "$here"/packages/$1 2>/dev/null | head -n 1; }
deb=$(pkg 'quantix-kvm-agent_*_amd64.deb')
rpm_file=$(pkg 'quantix-kvm-agent-*.x86_64.rpm')
tarball=$(pkg 'quantix-kvm-agent-*-linux-x86_64.tar.gz')

opt=/opt/quantix-kvm-agent
conf=/etc/quantix-kvm/agent.conf
unit_dir=/etc/systemd/system
pidfile=/run/quantix-kvm-agent.pid
log=/var/log/quantix-kvm-agent.log

# --- the tarball's service handling (the packages' own scripts do theirs) --------------------
start_plain() {
    mkdir -p "$(dirname "$log")" "$(dirname "$pidfile")"
    # Its own session, so the terminal's hang-up does not reach it (busybox may lack nohup).
    if has setsid; then
        setsid "$opt/bin/quantix-kvm-agent" >>"$log" 2>&1 </dev/null &
    else
        (trap '' HUP; exec "$opt/bin/quantix-kvm-agent" >>"$log" 2>&1 </dev/null) &
    fi
    echo $! >"$pidfile"
    sleep 1
    kill -0 "$(cat "$pidfile")" 2>/dev/null || die "the agent exited at once; $log says: $(tail -n 5 "$log")"
    say "no service manager (neither systemd nor OpenRC runs): started the agent in the background, pid $(cat "$pidfile"), log $log; it will NOT start again at boot: add '$opt/bin/quantix-kvm-agent &' to this system's start-up"
}
stop_plain() {
    if [ -r "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        kill "$(cat "$pidfile")" 2>/dev/null || true
        i=0
        while kill -0 "$(cat "$pidfile")" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.5; i=$((i + 1)); done
        say "stopped the agent (pid $(cat "$pidfile"))"
    fi
    rm -f "$pidfile"
}
tarball_service_down() {
    case $init in
        systemd)
            if [ -f "$unit_dir/quantix-kvm-agent.service" ]; then
                systemctl disable --now quantix-kvm-agent.service >/dev/null 2>&1 || true
                say "systemd: stopped and disabled quantix-kvm-agent.service"
            fi ;;
        openrc)
            if [ -f /etc/init.d/quantix-kvm-agent ]; then
                rc-service quantix-kvm-agent stop >/dev/null 2>&1 || true
                rc-update del quantix-kvm-agent default >/dev/null 2>&1 || true
                say "OpenRC: stopped quantix-kvm-agent and removed it from the default runlevel"
            fi ;;
    esac
    stop_plain
}

install_tarball() {
    [ -n "$tarball" ] || die "no tarball on this disc under $here/packages"
    upgrade=0
    [ -x "$opt/bin/quantix-kvm-agent" ] && upgrade=1
    [ $upgrade = 1 ] && tarball_service_down
    work=$(mktemp -d /tmp/quantix-kvm-agent.XXXXXX)
    # Time stamps kept: the agent's class archive is valid only for its jar's time stamp.
    tar -xzf "$tarball" -C "$work"
    rm -rf "$opt"
    mkdir -p /opt
    mv "$work/quantix-kvm-agent" "$opt"
    rmdir "$work"
    mkdir -p /usr/sbin /etc/quantix-kvm
    ln -sf "$opt/bin/quantix-kvm-agent" /usr/sbin/quantix-kvm-agent
    if [ -f "$conf" ]; then
        say "kept the configuration $conf (the disc's default is $opt/share/agent.conf.example)"
    else
        cp "$opt/share/agent.conf.example" "$conf"
        chmod 0644 "$conf"
        say "wrote the default configuration $conf"
    fi
    if [ -d /usr/share/man/man8 ]; then cp "$opt/share/quantix-kvm-agent.8.gz" /usr/share/man/man8/; fi
    say "unpacked $(basename "$tarball") into $opt ($([ $upgrade = 1 ] && echo upgrade || echo new install))"
    case $init in
        systemd)
            cp "$opt/share/quantix-kvm-agent.service" "$unit_dir/"
            systemctl daemon-reload
            systemctl enable quantix-kvm-agent.service >/dev/null 2>&1
            systemctl restart quantix-kvm-agent.service
            say "systemd: enabled and started quantix-kvm-agent.service ($unit_dir)" ;;
        openrc)
            cp "$opt/share/quantix-kvm-agent.openrc" /etc/init.d/quantix-kvm-agent
            chmod 0755 /etc/init.d/quantix-kvm-agent
            rc-update add quantix-kvm-agent default >/dev/null 2>&1 || true
            rc-service quantix-kvm-agent restart
            say "OpenRC: added quantix-kvm-agent to the default runlevel and started it" ;;
        none) start_plain ;;
    esac
}

uninstall() {
    if has dpkg && dpkg -s quantix-kvm-agent >/dev/null 2>&1 && [ -f /var/lib/dpkg/info/quantix-kvm-agent.list ]; then
        if [ $purge = 1 ]; then dpkg --purge quantix-kvm-agent; else dpkg --remove quantix-kvm-agent; fi
        say "removed the quantix-kvm-agent package with dpkg$([ $purge = 1 ] && echo ' (purged)')"
    elif has rpm && rpm -q quantix-kvm-agent >/dev/null 2>&1; then
        rpm -e quantix-kvm-agent
        [ $purge = 1 ] && rm -f "$conf" "$conf.rpmsave"
        say "removed the quantix-kvm-agent package with rpm"
    elif [ -d "$opt" ]; then
        tarball_service_down
        rm -f "$unit_dir/quantix-kvm-agent.service" /etc/init.d/quantix-kvm-agent /usr/sbin/quantix-kvm-agent \
            /usr/share/man/man8/quantix-kvm-agent.8.gz
        [ $init = systemd ] && systemctl daemon-reload
        rm -rf "$opt"
        say "removed $opt and its service files"
    else
        say "quantix-kvm-agent is not installed; nothing to do"
        return 0
    fi
    if [ $purge = 1 ]; then
        rm -f "$conf" "$log"
        rmdir /etc/quantix-kvm 2>/dev/null || true
        say "purged $conf and $log"
    elif [ -f "$conf" ]; then
        say "kept $conf (--purge removes it)"
    fi
}

say "$distro, init system: $init, package method: $method"
if [ $action = uninstall ]; then
    uninstall
    exit 0
fi

# --- will the agent have a port? ------------------------------------------------------------
if [ $port_check = 1 ]; then
    # The class appears when virtio_console is loaded; a kernel with it as a module may not have
    # loaded it yet.
    [ -d "$sysfs/class/virtio-ports" ] || { has modprobe && modprobe virtio_console 2>/dev/null || true; }
    found=""
    for f in "$sysfs"/class/virtio-ports/*/name; do
        [ -r "$f" ] && [ "$(cat "$f")" = "$port_name" ] && found=$(basename "$(dirname "$f")")
    done
    if [ -z "$found" ]; then
        die "this VM has no virtio-serial port named $port_name ($sysfs/class/virtio-ports lists none by that name), so the agent would have no host to talk to. Nothing was installed. Give the VM the channel (libvirt: <channel type='unix'><source mode='bind' path='/var/run/quantix-kvm/vms/VM.agent.sock'/><target type='virtio' name='$port_name'/></channel>), restart it, and run this again; or pass --no-port-check to install anyway."
    fi
    say "found the virtio port $port_name at /dev/$found"
fi

# What the packages' own scripts did about the service, by init system.
pkg_service_said() {
    case $init in
        systemd) echo "its scripts enabled and started quantix-kvm-agent.service" ;;
        openrc) echo "its scripts added quantix-kvm-agent to OpenRC's default runlevel and started it" ;;
        none) echo "no init system runs here (a chroot?): the unit is enabled for the next boot, nothing was started" ;;
    esac
}
case $method in
    deb)
        [ -n "$deb" ] || die "no .deb on this disc under $here/packages"
        dpkg -i "$deb" >/tmp/quantix-kvm-agent-install.log 2>&1 || { cat /tmp/quantix-kvm-agent-install.log >&2; die "dpkg -i $(basename "$deb") failed"; }
        say "installed $(basename "$deb") with dpkg; $(pkg_service_said)" ;;
    rpm)
        [ -n "$rpm_file" ] || die "no .rpm on this disc under $here/packages"
        rpm -U --replacepkgs "$rpm_file" || die "rpm -U $(basename "$rpm_file") failed"
        say "installed $(basename "$rpm_file") with rpm; $(pkg_service_said)" ;;
    tarball) install_tarball ;;
esac
say "done: $("$opt/bin/quantix-kvm-agent" --version 2>/dev/null || echo 'quantix-kvm-agent') in $opt, configuration $conf"
