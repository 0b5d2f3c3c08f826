// bench/malloc_count.c -- an LD_PRELOAD library that counts allocations per process, for
// `make bench` (mallocs per request). Every process it is loaded into keeps its counters in a
// small file, $MALLOC_COUNT_DIR/<pid>, mapped shared: the runner reads them before and after a
// run without stopping or signalling the process. Counted: malloc, calloc, realloc (of a
// non-NULL pointer too: it may move), posix_memalign, aligned_alloc, memalign; frees are
// counted apart. The real work is glibc's (__libc_malloc and friends).
//
//   gcc -O2 -shared -fPIC -o malloc_count.so bench/malloc_count.c
//   MALLOC_COUNT_DIR=/tmp/mc LD_PRELOAD=$PWD/malloc_count.so llmproxy ...
//   od -A d -t u8 /tmp/mc/<pid>     -> allocations, frees
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void __libc_free(void*);
extern void* __libc_memalign(size_t, size_t);

// [0] allocations, [1] frees. Before the file is mapped (and in a process that cannot map it)
// the counts go to this static pair.
static uint64_t fallback[2];
static uint64_t* counts = fallback;
static pid_t mapped_for;

// Maps $MALLOC_COUNT_DIR/<pid>; called again after fork (a new pid gets a new file).
static void mapCounts(void) {
  const pid_t pid = getpid();
  if (mapped_for == pid) return;
  mapped_for = pid;
  counts = fallback;
  fallback[0] = fallback[1] = 0;
  const char* dir = getenv("MALLOC_COUNT_DIR");
  if (!dir) return;
  char path[4096];
  snprintf(path, sizeof path, "%s/%d", dir, (int)pid);
  const int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (ftruncate(fd, 2 * sizeof(uint64_t)) == 0) {
    void* p = mmap(NULL, 2 * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p != MAP_FAILED) counts = p;
  }
  close(fd);
}

static void afterFork(void) { mapCounts(); }

__attribute__((constructor)) static void init(void) {
  mapCounts();
  pthread_atfork(NULL, NULL, afterFork);
}

static inline void countAlloc(void) { __atomic_fetch_add(&counts[0], 1, __ATOMIC_RELAXED); }

void* malloc(size_t n) {
  countAlloc();
  return __libc_malloc(n);
}

void* calloc(size_t n, size_t size) {
  countAlloc();
  return __libc_calloc(n, size);
}

void* realloc(void* p, size_t n) {
  countAlloc();
  return __libc_realloc(p, n);
}

void free(void* p) {
  if (p) __atomic_fetch_add(&counts[1], 1, __ATOMIC_RELAXED);
  __libc_free(p);
}

void* memalign(size_t align, size_t n) {
  countAlloc();
  return __libc_memalign(align, n);
}

void* aligned_alloc(size_t align, size_t n) {
  countAlloc();
  return __libc_memalign(align, n);
}

int posix_memalign(void** out, size_t align, size_t n) {
  countAlloc();
  void* p = __libc_memalign(align, n);
  if (!p) return 12;  // ENOMEM
  *out = p;
  return 0;
}
