/*
 * The limit the Java framing is measured against: the same loop in C, built by the bench
 * module (gcc -O2) into bench/target/framing-loop.
 *
 * 1. Framing from memory: a 1 MiB stream of QTX1 (or QTX2) frames with opaque payloads is
 *    copied into a buffer in 64 KiB reads; complete frames are handed to a handler that
 *    touches the length and first payload byte; the unread tail is moved to the front when the
 *    space after it runs below a quarter (as CompactingRing does). Frames/s and MB/s per size.
 * 2. Magic scanning: 1 MiB of random bytes, memchr for 0x51 and then the 4-byte magic check,
 *    as MagicScanner does. GB/s.
 *
 * 3. Framing through a socket pair: the same QTX1 stream written into one end of a non-blocking
 *    AF_UNIX socketpair and read from the other, both ends on one edge-triggered epoll loop
 *    (256 KiB writes, reads of whatever fits), as SocketpairFramingBenchmark does in Java.
 *
 * Usage: framing-loop [seconds per case, default 1]
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nmmintrin.h>
#include <errno.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define STREAM_BYTES (1 << 20)
#define READ_BYTES (64 << 10)
#define MAX_PAYLOAD (64 << 10)
#define CAPACITY (16 + MAX_PAYLOAD)

static volatile uint64_t sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static uint32_t be32(const uint8_t *p) {
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* CRC32C with the SSE4.2 instruction, as the JVM's intrinsic uses. */
static uint32_t crc32c(const uint8_t *p, size_t n) {
    uint64_t c = 0xFFFFFFFFu;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        n -= 8;
    }
    while (n--) {
        c = _mm_crc32_u8((uint32_t) c, *p++);
    }
    return (uint32_t) c ^ 0xFFFFFFFFu;
}

__attribute__((noinline)) static void handle(const uint8_t *payload, uint32_t len) {
    sink += len + (uint64_t) (int8_t) payload[0];
}

static size_t build_stream(uint8_t *out, int payload, int version) {
    int header = version == 2 ? 16 : 8;
    int frames = STREAM_BYTES / (header + payload);
    if (frames < 16) frames = 16;
    uint8_t *p = out;
    srand(payload);
    for (int i = 0; i < frames; i++) {
        uint8_t *h = p;
        put_be32(h, 0x51545800u | version);
        put_be32(h + 4, payload);
        for (int j = 0; j < payload; j++) h[header + j] = rand();
        if (version == 2) {
            put_be32(h + 8, crc32c(h + 16, payload));
            put_be32(h + 12, crc32c(h, 12));
        }
        p += header + payload;
    }
    return p - out;
}

/* One pass over the stream; returns the frames handled. */
static long pass(const uint8_t *src, size_t len, uint8_t *buf) {
    size_t r = 0, w = 0, off = 0;
    long frames = 0;
    while (off < len) {
        if (r > 0 && CAPACITY - w < CAPACITY / 4) {
            memmove(buf, buf + r, w - r);
            w -= r;
            r = 0;
        }
        size_t n = CAPACITY - w;
        if (n > READ_BYTES) n = READ_BYTES;
        if (n > len - off) n = len - off;
        memcpy(buf + w, src + off, n);
        w += n;
        off += n;
        while (w - r >= 8) {
            const uint8_t *h = buf + r;
            uint32_t magic = be32(h);
            if (magic != 0x51545801u && magic != 0x51545802u) { r++; continue; }
            int header = magic == 0x51545802u ? 16 : 8;
            if (w - r < (size_t) header) break;
            if (header == 16 && crc32c(h, 12) != be32(h + 12)) { r++; continue; }
            uint32_t plen = be32(h + 4);
            if (plen > MAX_PAYLOAD) { r++; continue; }
            if (w - r < header + plen) break;
            if (header == 16 && crc32c(h + 16, plen) != be32(h + 8)) { r++; continue; }
            handle(h + header, plen);
            r += header + plen;
            frames++;
        }
        if (r == w) r = w = 0;
    }
    return frames;
}

static void framing(double seconds) {
    static const int sizes[] = {64, 256, 1024, 16384, 65536};
    uint8_t *src = malloc(2 * STREAM_BYTES + 16 * (16 + 65536));
    uint8_t *buf = aligned_alloc(64, (CAPACITY + 63) / 64 * 64);
    printf("%-28s %8s %14s %10s\n", "framing from memory", "payload", "frames/s", "MB/s");
    for (int version = 1; version <= 2; version++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t len = build_stream(src, sizes[s], version);
            long frames = 0;
            for (int warm = 0; warm < 20; warm++) pass(src, len, buf);
            double start = now(), elapsed;
            do {
                frames += pass(src, len, buf);
                elapsed = now() - start;
            } while (elapsed < seconds);
            printf("c QTX%d%21s %8d %14.0f %10.0f\n", version, "", sizes[s], frames / elapsed,
                   frames / elapsed * sizes[s] / 1e6);
        }
    }
    free(src);
    free(buf);
}

/* Frames complete in buf[*r, *w); returns how many were handled. */
static long parse(uint8_t *buf, size_t *r, size_t w) {
    long frames = 0;
    while (w - *r >= 8) {
        const uint8_t *h = buf + *r;
        if (be32(h) != 0x51545801u) { (*r)++; continue; }
        uint32_t plen = be32(h + 4);
        if (plen > MAX_PAYLOAD) { (*r)++; continue; }
        if (w - *r < 8 + plen) break;
        handle(h + 8, plen);
        *r += 8 + plen;
        frames++;
    }
    return frames;
}

static void socketpair_framing(double seconds) {
    static const int sizes[] = {64, 256, 1024, 16384, 65536};
    uint8_t *src = malloc(2 * STREAM_BYTES + 16 * (16 + 65536));
    uint8_t *buf = aligned_alloc(64, 2 * ((CAPACITY + 63) / 64 * 64));
    size_t cap = 2 * ((CAPACITY + 63) / 64 * 64);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) { perror("socketpair"); exit(1); }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = sv[1]};
    epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
    ev.events = EPOLLOUT | EPOLLET;
    ev.data.fd = sv[0];
    epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
    printf("%-28s %8s %14s %10s\n", "framing through socketpair", "payload", "frames/s", "MB/s");
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t len = build_stream(src, sizes[s], 1);
        long per_pass = len / (8 + sizes[s]);
        long total = 0;
        int warm = 20;
        double start = 0, elapsed = 0;
        for (;;) {
            if (warm == 0) { start = now(); warm = -1; }
            size_t sent = 0, r = 0, w = 0;
            long left = per_pass;
            while (sent < len) {  /* prime: write until the socket is full */
                size_t n = len - sent < (256 << 10) ? len - sent : (256 << 10);
                ssize_t k = write(sv[0], src + sent, n);
                if (k < 0) break;
                sent += k;
            }
            while (left > 0) {
                struct epoll_event events[2];
                int ne = epoll_wait(ep, events, 2, -1);
                for (int i = 0; i < ne; i++) {
                    if (events[i].data.fd == sv[1]) {
                        for (;;) {
                            if (r > 0 && cap - w < cap / 4) { memmove(buf, buf + r, w - r); w -= r; r = 0; }
                            ssize_t k = read(sv[1], buf + w, cap - w);
                            if (k <= 0) break;
                            w += k;
                            left -= parse(buf, &r, w);
                            if (r == w) r = w = 0;
                        }
                    } else {
                        while (sent < len) {
                            size_t n = len - sent < (256 << 10) ? len - sent : (256 << 10);
                            ssize_t k = write(sv[0], src + sent, n);
                            if (k < 0) break;
                            sent += k;
                        }
                    }
                }
            }
            if (warm > 0) { warm--; continue; }
            total += per_pass;
            elapsed = now() - start;
            if (elapsed >= seconds) break;
        }
        printf("c socketpair QTX1%12s %8d %14.0f %10.0f\n", "", sizes[s], total / elapsed, total / elapsed * sizes[s] / 1e6);
    }
    close(ep);
    close(sv[0]);
    close(sv[1]);
    free(src);
    free(buf);
}

static void scanning(double seconds) {
    uint8_t *data = aligned_alloc(64, STREAM_BYTES);
    srand(1);
    for (int i = 0; i < STREAM_BYTES; i++) data[i] = rand();
    long found = 0, passes = 0;
    double start = now(), elapsed;
    do {
        const uint8_t *p = data, *end = data + STREAM_BYTES;
        while (p < end) {
            const uint8_t *q = memchr(p, 0x51, end - p);
            if (!q) break;
            if (end - q >= 4 && q[1] == 0x54 && q[2] == 0x58 && (q[3] == 1 || q[3] == 2)) found++;
            p = q + 1;
        }
        passes++;
        elapsed = now() - start;
    } while (elapsed < seconds);
    printf("c magic scan (memchr + check)  %.2f GB/s\n", passes * (double) STREAM_BYTES / elapsed / 1e9);
    /* The ceiling: memchr over bytes that never match, so it never stops. */
    memset(data, 0, STREAM_BYTES);
    passes = 0;
    start = now();
    do {
        sink += memchr(data, 0x51, STREAM_BYTES) == NULL;
        passes++;
        elapsed = now() - start;
    } while (elapsed < seconds);
    printf("c memchr, no match (ceiling)   %.2f GB/s\n", passes * (double) STREAM_BYTES / elapsed / 1e9);
    sink += found;
    free(data);
}

/*
 * 64-byte ping-pong over an AF_UNIX socketpair, both ends on one epoll loop (level-triggered):
 * PingPongBenchmark's shape, so its round trips per second have a C figure beside them.
 */
static void ping_pong(double seconds) {
    enum { SIZE = 64, WARM = 20000 };
    char ping[SIZE] = {0}, pong[SIZE], echo[4 * SIZE];
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) { perror("socketpair"); exit(1); }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < 2; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = sv[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, sv[i], &ev);
    }
    long trips = 0;
    int got = 0, warm = 1;
    double start = now(), elapsed = 0;
    if (write(sv[0], ping, SIZE) != SIZE) { perror("write"); exit(1); }
    for (;;) {
        struct epoll_event events[2];
        int ne = epoll_wait(ep, events, 2, -1);
        for (int i = 0; i < ne; i++) {
            if (events[i].data.fd == sv[1]) {
                ssize_t n = read(sv[1], echo, sizeof echo);
                if (n > 0 && write(sv[1], echo, n) != n) { perror("write"); exit(1); }
                continue;
            }
            ssize_t n = read(sv[0], pong + got, SIZE - got);
            if (n <= 0 || (got += n) < SIZE) continue;
            got = 0;
            trips++;
            if (warm && trips == WARM) { warm = 0; trips = 0; start = now(); }
            if (!warm && (trips & 1023) == 0 && (elapsed = now() - start) >= seconds) goto done;
            if (write(sv[0], ping, SIZE) != SIZE) { perror("write"); exit(1); }
        }
    }
done:
    printf("c ping-pong %d B%13s %14.0f round trips/s\n", SIZE, "", trips / elapsed);
    close(ep);
    close(sv[0]);
    close(sv[1]);
}

static int wanted(int argc, char **argv, const char *section) {
    if (argc <= 2) return 1;
    for (int i = 2; i < argc; i++) if (strcmp(argv[i], section) == 0) return 1;
    return 0;
}

/* framing-loop [SECONDS [SECTION...]]: seconds per figure; sections memory, socketpair, scan, pingpong (default all). */
int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    if (wanted(argc, argv, "memory")) framing(seconds);
    if (wanted(argc, argv, "socketpair")) socketpair_framing(seconds);
    if (wanted(argc, argv, "scan")) scanning(seconds);
    if (wanted(argc, argv, "pingpong")) ping_pong(seconds);
    return 0;
}
