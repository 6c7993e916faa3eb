/*
 * qtx_linux.h: the one header jextract reads to generate io.qtx.ffi.generated.Linux and
 * the struct classes beside it. It only includes system headers (plus the small tricks
 * noted below); which symbols are generated is chosen in qtx_linux.args.
 *
 * Regenerate with build-scripts/jextract.sh. Never edit the generated Java by hand.
 */
#ifndef QTX_LINUX_H
#define QTX_LINUX_H

/* accept4, pipe2, memfd_create, MFD_CLOEXEC and struct ucred are GNU extensions. */
#define _GNU_SOURCE 1

#include <features.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>        /* readv writev, struct iovec */

/*
 * <sys/socket.h> under _GNU_SOURCE declares the sockaddr parameters of bind, connect,
 * accept4 and sendto as transparent unions (__SOCKADDR_ARG, __CONST_SOCKADDR_ARG), which
 * jextract cannot bind. glibc falls back to plain `struct sockaddr *` when
 * __GNUC_PREREQ(2, 7) is false; that line is the only use of __GNUC_PREREQ in
 * <sys/socket.h> and the headers it pulls in that are not already included above, so it is
 * switched off just for this include. A transparent union is passed exactly like its first
 * member (a pointer), so the generated signatures match the ABI.
 */
#pragma push_macro("__GNUC_PREREQ")
#undef __GNUC_PREREQ
#define __GNUC_PREREQ(maj, min) 0
#include <sys/socket.h>     /* socket socketpair bind listen accept4 connect ... struct ucred */
#pragma pop_macro("__GNUC_PREREQ")

#include <sys/un.h>         /* struct sockaddr_un */
#include <sys/epoll.h>      /* epoll_*, struct epoll_event (packed on x86-64), union epoll_data */
#include <sys/timerfd.h>    /* timerfd_*, TFD_* */
#include <sys/eventfd.h>    /* eventfd, EFD_* */
#include <sys/inotify.h>    /* inotify_*, struct inotify_event, IN_* */
#include <sys/mman.h>       /* mmap munmap memfd_create, PROT_* MAP_* MFD_* */
#include <sys/statvfs.h>    /* statvfs (function and struct) */
#include <sys/ioctl.h>      /* ioctl */
#include <linux/fs.h>       /* FIFREEZE FITHAW */
#include <fcntl.h>          /* open fcntl, O_* F_* FD_CLOEXEC */
#include <unistd.h>         /* close read write unlink pipe2 ftruncate getpid getuid */
#include <poll.h>           /* poll, struct pollfd, POLL* */
#include <time.h>           /* clock_gettime, struct timespec, struct itimerspec, CLOCK_* */
#include <signal.h>         /* kill, SIG* */
#include <string.h>         /* strerror */
#include <errno.h>          /* E* */

#endif /* QTX_LINUX_H */
