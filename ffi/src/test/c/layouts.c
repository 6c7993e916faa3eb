/*
 * Prints what C says about the structs and constants in io.qtx.ffi.generated, one
 * "key value" line each; NativeLayoutTest compiles this with gcc and compares every line
 * with the generated Java layouts and constants. Keys:
 *   size NAME / align NAME              sizeof / _Alignof of the struct or union
 *   offset NAME.FIELD / fsize NAME.FIELD offsetof / sizeof of a field
 *   const NAME                          a constant's value, as a signed 64-bit number
 *                                       (the generated ones, then ExtraConstants' fields)
 * Compile with -I pointing at a directory holding qtx_constants.inc (see below).
 */
#define _GNU_SOURCE 1
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>

#define TYPE(name, type) \
    printf("size %s %zu\nalign %s %zu\n", name, sizeof(type), name, _Alignof(type))
#define FIELD(name, type, field) \
    printf("offset %s.%s %zu\nfsize %s.%s %zu\n", name, #field, offsetof(type, field), \
           name, #field, sizeof(((type *) 0)->field))
/* A flexible array member has no sizeof. */
#define FLEX(name, type, field) \
    printf("offset %s.%s %zu\n", name, #field, offsetof(type, field))
/* MAP_FAILED is a pointer: print its address. */
#define CONST_VALUE(c) _Generic((c), void *: (long long) (intptr_t) (c), default: (long long) (c))
#define CONST(c) printf("const %s %lld\n", #c, CONST_VALUE(c))

int main(void) {
    TYPE("epoll_event", struct epoll_event);
    FIELD("epoll_event", struct epoll_event, events);
    FIELD("epoll_event", struct epoll_event, data);

    TYPE("epoll_data", union epoll_data);
    FIELD("epoll_data", union epoll_data, ptr);
    FIELD("epoll_data", union epoll_data, fd);
    FIELD("epoll_data", union epoll_data, u32);
    FIELD("epoll_data", union epoll_data, u64);

    TYPE("timespec", struct timespec);
    FIELD("timespec", struct timespec, tv_sec);
    FIELD("timespec", struct timespec, tv_nsec);

    TYPE("itimerspec", struct itimerspec);
    FIELD("itimerspec", struct itimerspec, it_interval);
    FIELD("itimerspec", struct itimerspec, it_value);

    TYPE("sockaddr_un", struct sockaddr_un);
    FIELD("sockaddr_un", struct sockaddr_un, sun_family);
    FIELD("sockaddr_un", struct sockaddr_un, sun_path);

    TYPE("iovec", struct iovec);
    FIELD("iovec", struct iovec, iov_base);
    FIELD("iovec", struct iovec, iov_len);

    TYPE("statvfs", struct statvfs);
    FIELD("statvfs", struct statvfs, f_bsize);
    FIELD("statvfs", struct statvfs, f_frsize);
    FIELD("statvfs", struct statvfs, f_blocks);
    FIELD("statvfs", struct statvfs, f_bfree);
    FIELD("statvfs", struct statvfs, f_bavail);
    FIELD("statvfs", struct statvfs, f_files);
    FIELD("statvfs", struct statvfs, f_ffree);
    FIELD("statvfs", struct statvfs, f_favail);
    FIELD("statvfs", struct statvfs, f_fsid);
    FIELD("statvfs", struct statvfs, f_flag);
    FIELD("statvfs", struct statvfs, f_namemax);
    FIELD("statvfs", struct statvfs, __f_spare);

    TYPE("inotify_event", struct inotify_event);
    FIELD("inotify_event", struct inotify_event, wd);
    FIELD("inotify_event", struct inotify_event, mask);
    FIELD("inotify_event", struct inotify_event, cookie);
    FIELD("inotify_event", struct inotify_event, len);
    FLEX("inotify_event", struct inotify_event, name);

    TYPE("ucred", struct ucred);
    FIELD("ucred", struct ucred, pid);
    FIELD("ucred", struct ucred, uid);
    FIELD("ucred", struct ucred, gid);

    TYPE("pollfd", struct pollfd);
    FIELD("pollfd", struct pollfd, fd);
    FIELD("pollfd", struct pollfd, events);
    FIELD("pollfd", struct pollfd, revents);

    /* Every --include-constant of qtx_linux.args, one CONST(NAME) line each, written by
     * NativeLayoutTest next to the compiled copy of this file. */
#include "qtx_constants.inc"

    /* io.qtx.ffi.ExtraConstants: the constants the generated bindings lack, one line per
     * field, by the field's name. */
    CONST(SIOCOUTQ);
    CONST(PROT_NONE);
    return 0;
}
