package io.qtx.epoll;

import java.util.Arrays;

/**
 * Pending timers as a binary min-heap on (deadline, sequence): insertion and removal in
 * O(log n), the earliest in O(1), so many thousands of deadlines share one timerfd. Loop
 * thread only.
 */
final class TimerQueue {

    private Timer[] heap = new Timer[64];
    private int size;

    int size() {
        return size;
    }

    Timer peek() {
        return size == 0 ? null : heap[0];
    }

    void add(Timer timer) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        timer.heapIndex = size;
        heap[size++] = timer;
        siftUp(timer.heapIndex);
    }

    Timer poll() {
        if (size == 0) {
            return null;
        }
        Timer first = heap[0];
        removeAt(0);
        return first;
    }

    /** Removes {@code timer} if queued. */
    void remove(Timer timer) {
        int i = timer.heapIndex;
        if (i >= 0 && i < size && heap[i] == timer) {
            removeAt(i);
        }
    }

    private void removeAt(int i) {
        Timer removed = heap[i];
        removed.heapIndex = -1;
        size--;
        if (i == size) {
            heap[size] = null;
            return;
        }
        Timer last = heap[size];
        heap[size] = null;
        heap[i] = last;
        last.heapIndex = i;
        siftDown(i);
        if (heap[i] == last) {
            siftUp(i);
        }
    }

    private static boolean before(Timer a, Timer b) {
        // Deadlines compared as a difference: nanoTime may be negative or wrap.
        long d = a.deadlineNanos - b.deadlineNanos;
        return d < 0 || (d == 0 && a.sequence < b.sequence);
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (!before(t, p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], t)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].heapIndex = -1;
            heap[i] = null;
        }
        size = 0;
    }
}
