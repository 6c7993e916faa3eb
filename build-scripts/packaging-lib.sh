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
