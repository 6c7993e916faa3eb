# Sourced by qx-node, qxctl and demo (after lib.sh): the host daemon's class path, built when missing.
qtx_host_jar="$qtx_root/host-daemon/target/qtx-host-daemon-0.1.0-SNAPSHOT.jar"

# Builds host-daemon (and what it needs) unless its jar and class path are already there.
qtx_host_build() {
    if [ ! -f "$qtx_host_jar" ] || [ ! -d "$qtx_root/host-daemon/target/lib" ] || [ "${QTX_REBUILD:-}" = 1 ]; then
        echo "building host-daemon..." >&2
        qtx_mvn -q -pl host-daemon -am package -DskipTests >&2
    fi
}

qtx_host_classpath() {
    qtx_host_build
    echo "$qtx_host_jar:$qtx_root/host-daemon/target/lib/*"
}

# qx-node's JVM: I/O-bound on one loop, so a small serial heap, C1 only and small stacks
# (host-daemon/README.md has the RSS these give). -Xmx256m holds 5,000 VMs with room to spare;
# HeapKeeper keeps the old generation near twice its live set and the free ratios give the old
# generation's capacity back after each of its collections, so RSS stays flat below that;
# TrimNativeHeapInterval gives glibc's freed memory back. The same options are in jlink-node's
# launchers and so in the host package.
qtx_node_jvm_opts="-XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xms8m -Xmx256m -XX:ReservedCodeCacheSize=32m -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -XX:TrimNativeHeapInterval=60000 -Xshare:auto"

# qxctl's JVM: one short request, so C1 only, no hsperfdata file, a small serial heap; the JDK's
# CDS archive is on by default (an explicit -Xshare:auto would refuse -XX:AOTCache in JDK 25).
# measure-qxctl times it (host-daemon/README.md, "qxctl start-up").
qtx_qxctl_jvm_opts="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xss512k -Xmx64m"

# qxctl's AOT cache (JEP 483): its classes loaded and linked ahead of time, made by one training
# run (a `vms` against a closed port, which loads the request path) whenever the jar is newer
# than the cache. Prints the JVM options that use it; JVM warnings go to stderr, never into
# qxctl's standard output (which --json makes data).
qtx_qxctl_aot_opts() {
    local aot=$qtx_root/host-daemon/target/qxctl.aot cp
    cp=$(qtx_host_classpath)
    if [ ! "$aot" -nt "$qtx_host_jar" ]; then
        # shellcheck disable=SC2086
        QXCTL_URL=http://127.0.0.1:1 QXCTL_CONFIG=/dev/null QXCTL_TOKEN=training java $qtx_qxctl_jvm_opts \
            -XX:AOTCacheOutput="$aot.$$" -cp "$cp" io.qtx.node.cli.Qxctl vms >/dev/null 2>&1 || true
        if [ -s "$aot.$$" ]; then mv -f "$aot.$$" "$aot"; else rm -f "$aot.$$"; fi
    fi
    if [ -s "$aot" ]; then echo "-XX:AOTCache=$aot -Xlog:disable -Xlog:all=warning:stderr"; fi
}
