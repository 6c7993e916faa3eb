package io.qtx.qemu;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;

/**
 * A plain-Java guest program for the JVM smoke test: the port through RandomAccessFile, which
 * (unlike FileChannel) has no lock that would make a write wait for a read.
 */
public final class PortHello {

    private PortHello() {
    }

    public static void main(String[] args) throws Exception {
        String port = System.getenv("QTX_PORT");
        System.out.println("hello: java " + Runtime.version() + " on " + port);
        try (RandomAccessFile file = new RandomAccessFile(port, "rw")) {
            // Blocks until a host connects: a blocking write on a port with no host waits.
            file.write(("hello from java " + args[0] + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        System.out.println("hello: written");
    }
}
