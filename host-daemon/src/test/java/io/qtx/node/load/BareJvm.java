package io.qtx.node.load;

/**
 * The reference for qx-node's idle RSS in {@code build-scripts/measure-node}: a JVM started with
 * qx-node's options that loads nothing of ours and waits, so the difference is what qx-node
 * itself holds. Runs until killed.
 */
public final class BareJvm {

    private BareJvm() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("bare JVM up");
        Thread.currentThread().join();
    }
}
