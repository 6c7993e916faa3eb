# Sourced by the packaging scripts (after lib.sh): Debian packages they need, installed when
# missing, and the version the packages carry.

# qtx_need CMD=DEBIAN_PACKAGE...: installs the packages whose command is missing (as root).
qtx_need() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
    done
    ((${#missing[@]})) || return 0
    if ((EUID != 0)); then
        echo "packaging: missing ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
        return 1
    fi
    echo "packaging: installing ${missing[*]}" >&2
    local log
    log=$(mktemp)
    # Another apt run on the machine may hold dpkg's lock for a while: wait for it.
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                -o DPkg::Lock::Timeout=300 "${missing[@]}"; } >"$log" 2>&1; then
        echo "packaging: apt-get install ${missing[*]} failed: $(tail -n 3 "$log" | tr '\n' ' ')" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}

# The packages' version: $QTX_PKG_VERSION, else the pom's, a SNAPSHOT becoming "~dev" (sorts
# before the release in both dpkg and rpm).
qtx_pkg_version() {
    if [[ -n ${QTX_PKG_VERSION:-} ]]; then
        echo "$QTX_PKG_VERSION"
        return
    fi
    local v
    v=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$qtx_root/pom.xml" | head -n 1)
    echo "${v/-SNAPSHOT/~dev}"
}

qtx_packages_dir=${QTX_PACKAGES_DIR:-$qtx_root/build-scripts/.cache/packages}

# The package being built, set by the caller before the functions below:
#   pkg_name (quantix-kvm-agent), pkg_unit (its .service), pkg_openrc (its /etc/init.d name),
#   pkg_openrc_src (where the package keeps the OpenRC script), pkg_conf (its conffile),
#   pkg_purge (files the daemon creates itself, removed on purge; may be empty)

# A maintainer script or spec with the service functions pasted in and the @WORDS@ filled.
qtx_fill() {
    awk -v f="$qtx_root/build-scripts/packaging/service.sh" \
        '/#QTX_SERVICE_FUNCTIONS#/ { while ((getline l < f) > 0) print l; close(f); next } { print }' "$1" \
        | sed -e "s|@NAME@|$pkg_name|g" -e "s|@UNIT@|$pkg_unit|g" -e "s|@OPENRC@|$pkg_openrc|g" \
              -e "s|@OPENRC_SRC@|$pkg_openrc_src|g" -e "s|@CONF@|$pkg_conf|g" -e "s|@PURGE@|${pkg_purge:-}|g" -e "s|@VERSION@|$(qtx_pkg_version)|g"
}

# qtx_build_deb TREE CONTROL OUT.deb: TREE is the installed file tree; CONTROL the control
# template (@VERSION@, @SIZE_KB@). gzip, not xz: a fifth of the build time on two cores, and
# every dpkg and rpm reads it.
qtx_build_deb() {
    local tree=$1 control=$2 deb=$3 s
    mkdir -p "$tree/DEBIAN"
    echo "$pkg_conf" >"$tree/DEBIAN/conffiles"
    for s in postinst prerm postrm; do
        qtx_fill "$qtx_root/build-scripts/packaging/deb-$s" >"$tree/DEBIAN/$s"
        chmod 0755 "$tree/DEBIAN/$s"
    done
    qtx_fill "$control" | sed "s/@SIZE_KB@/$(du -sk --exclude=DEBIAN "$tree" | cut -f1)/" >"$tree/DEBIAN/control"
    dpkg-deb --root-owner-group -Zgzip -z9 --build "$tree" "$deb" >/dev/null
}

# qtx_build_rpm TREE SPEC OUTDIR: rpmbuild of a ready-made tree (no %prep or %build).
qtx_build_rpm() {
    local tree=$1 spec=$2 outdir=$3 top
    top=$(mktemp -d)
    mkdir -p "$top"/{SPECS,RPMS,BUILD}
    qtx_fill "$spec" >"$top/SPECS/$pkg_name.spec"
    if ! rpmbuild -bb --quiet --define "_topdir $top" --define "_build_id_links none" --buildroot "$tree" \
            --define "_binary_payload w9.gzdio" --target x86_64 "$top/SPECS/$pkg_name.spec" >"$top/rpmbuild.log" 2>&1; then
        cat "$top/rpmbuild.log" >&2
        rm -rf "$top"
        return 1
    fi
    cp "$top"/RPMS/x86_64/*.rpm "$outdir/"
    rm -rf "$top"
}
