// renameat2(2) with RENAME_EXCHANGE, syncfs(2) and sync_file_range(2), which Swift cannot call: glibc declares renameat2 only
// under _GNU_SOURCE, and syscall(2) is variadic. Used by Sources/KyniemPublish/SiteDirectory.swift.
#ifndef KYNIEM_CFILESWAP_SHIM_H
#define KYNIEM_CFILESWAP_SHIM_H

#include <errno.h>
#include <fcntl.h>

#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/// Atomically exchanges two paths (Linux 3.15+; ext4, xfs, btrfs, tmpfs): both must exist.
/// Returns 0, or -1 with errno (EINVAL or ENOSYS where the file system or kernel cannot).
static inline int kyniem_exchange_paths(const char *from, const char *to) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/// syncfs(2) (declared only under _GNU_SOURCE): flushes the file system holding `fd`, one call
/// for a whole new site instead of an fsync per file.
static inline int kyniem_sync_filesystem(int fd) {
#ifdef SYS_syncfs
    return (int)syscall(SYS_syncfs, fd);
#else
    (void)fd;
    sync();
    return 0;
#endif
}

/// sync_file_range(2) with SYNC_FILE_RANGE_WRITE (declared only under _GNU_SOURCE): starts the
/// writeback of a file's dirty pages without waiting for it. Only a head start: it makes nothing
/// durable (no metadata, no cache flush); syncfs does that.
static inline int kyniem_start_writeback(int fd) {
#ifdef SYS_sync_file_range
    return (int)syscall(SYS_sync_file_range, fd, (long long)0, (long long)0, (unsigned int)2);
#else
    (void)fd;
    return 0;
#endif
}
#else
#include <unistd.h>
static inline int kyniem_start_writeback(int fd) { (void)fd; return 0; }
static inline int kyniem_exchange_paths(const char *from, const char *to) {
    (void)from; (void)to;
    errno = ENOSYS;
    return -1;
}
static inline int kyniem_sync_filesystem(int fd) { return fsync(fd); }
#endif

#endif
