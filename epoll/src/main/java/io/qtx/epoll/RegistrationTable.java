package io.qtx.epoll;

import java.util.Arrays;

/**
 * The loop's registrations indexed by descriptor number: descriptors are small ints, so an
 * array lookup finds the handler for an event with no boxing, no hashing and no allocation.
 * Loop thread only.
 */
final class RegistrationTable {

    private Registration[] byFd = new Registration[256];
    private int count;

    Registration get(int fd) {
        return fd >= 0 && fd < byFd.length ? byFd[fd] : null;
    }

    void put(int fd, Registration registration) {
        if (fd >= byFd.length) {
            byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
        }
        byFd[fd] = registration;
        count++;
    }

    /** Removes {@code registration} if it is the one held for {@code fd}. */
    void remove(int fd, Registration registration) {
        if (get(fd) == registration) {
            byFd[fd] = null;
            count--;
        }
    }

    int size() {
        return count;
    }

    /** Closes every registration (and so its descriptor). */
    void closeAll() {
        for (Registration registration : byFd.clone()) {
            if (registration != null) {
                registration.close();
            }
        }
    }
}
