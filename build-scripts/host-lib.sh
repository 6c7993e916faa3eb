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
# (host-daemon/README.md has the RSS these give). -Xmx256m holds 1,000 VMs with room to spare.
qtx_node_jvm_opts="-XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xms8m -Xmx256m -XX:ReservedCodeCacheSize=32m -Xshare:auto"

# qxctl's JVM: one short request, so C1 only, the CDS archive, no hsperfdata file, a small serial
# heap (host-daemon/README.md, "qxctl start-up", has what each saves). measure-qxctl times it.
qtx_qxctl_jvm_opts="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -XX:-UsePerfData -Xss512k -Xmx64m"
