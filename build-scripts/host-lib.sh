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
