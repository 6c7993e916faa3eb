# Sourced by the other build-scripts: repo root, the JDK, and quiet Maven on it.
qtx_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA_HOME=$("$qtx_root/build-scripts/find-jdk") || exit 1
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's own jansi and guice touch restricted and deprecated JDK internals; keep their warnings out of our output.
export MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
qtx_mvn() { mvn -B -ntp -f "$qtx_root/pom.xml" "$@"; }
