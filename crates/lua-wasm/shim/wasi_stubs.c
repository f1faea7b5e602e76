/* Stubs for every WASI call Debian's wasi-libc (libc.a, 2022 snapshot) can make, so that the
 * final wasm32-unknown-unknown module imports nothing from `wasi_snapshot_preview1`:
 * wasm-bindgen rejects a module with such imports, and a browser has no WASI to give it.
 *
 * Lua only needs libc's strings, numbers, ctype, math and formatting; mlua gives Lua its
 * allocator. The module looks like a process with no arguments, no environment variables and
 * no preopened directories (libc exits if it cannot read the first two: Lua's package library
 * calls getenv), and every other call fails with ENOSYS: files, clocks, stdio output.
 *
 * Each definition must match the import's wasm signature exactly (i32/i64 per parameter, i32
 * result), or wasm-ld keeps the import or warns of a signature mismatch and wasm-bindgen fails.
 * The signatures were read from libc.a's __wasilibc_real.o. The symbol names are the ones
 * wasi-libc's own __wasilibc_real.c declares for its imports. */
#include <stdint.h>
#include <wasi/api.h>

typedef int32_t I32;
typedef int64_t I64;

#define NOSYS(name, ...) \
    I32 __imported_wasi_snapshot_preview1_##name(__VA_ARGS__) { return __WASI_ERRNO_NOSYS; }
#define NOSYS_NO_ARGS(name) \
    I32 __imported_wasi_snapshot_preview1_##name(void) { return __WASI_ERRNO_NOSYS; }

/* An empty argv and environ: the counts are 0 and there is nothing to copy. */
I32 __imported_wasi_snapshot_preview1_args_sizes_get(I32 argc_out, I32 buf_size_out) {
    *(I32 *)(uintptr_t)argc_out = 0;
    *(I32 *)(uintptr_t)buf_size_out = 0;
    return __WASI_ERRNO_SUCCESS;
}

I32 __imported_wasi_snapshot_preview1_args_get(I32 argv, I32 buf) {
    (void)argv;
    (void)buf;
    return __WASI_ERRNO_SUCCESS;
}

I32 __imported_wasi_snapshot_preview1_environ_sizes_get(I32 count_out, I32 buf_size_out) {
    *(I32 *)(uintptr_t)count_out = 0;
    *(I32 *)(uintptr_t)buf_size_out = 0;
    return __WASI_ERRNO_SUCCESS;
}

I32 __imported_wasi_snapshot_preview1_environ_get(I32 environ, I32 buf) {
    (void)environ;
    (void)buf;
    return __WASI_ERRNO_SUCCESS;
}

/* "No preopened directory at this descriptor": libc stops looking for more. */
I32 __imported_wasi_snapshot_preview1_fd_prestat_get(I32 fd, I32 prestat) {
    (void)fd;
    (void)prestat;
    return __WASI_ERRNO_BADF;
}

/* exit() and abort() end here: there is no process to leave, so trap. */
__attribute__((__noreturn__)) void __imported_wasi_snapshot_preview1_proc_exit(I32 code) {
    (void)code;
    __builtin_trap();
}

NOSYS(clock_res_get, I32 a, I32 b)
NOSYS(clock_time_get, I32 a, I64 b, I32 c)
NOSYS(fd_advise, I32 a, I64 b, I64 c, I32 d)
NOSYS(fd_allocate, I32 a, I64 b, I64 c)
NOSYS(fd_close, I32 a)
NOSYS(fd_datasync, I32 a)
NOSYS(fd_fdstat_get, I32 a, I32 b)
NOSYS(fd_fdstat_set_flags, I32 a, I32 b)
NOSYS(fd_fdstat_set_rights, I32 a, I64 b, I64 c)
NOSYS(fd_filestat_get, I32 a, I32 b)
NOSYS(fd_filestat_set_size, I32 a, I64 b)
NOSYS(fd_filestat_set_times, I32 a, I64 b, I64 c, I32 d)
NOSYS(fd_pread, I32 a, I32 b, I32 c, I64 d, I32 e)
NOSYS(fd_prestat_dir_name, I32 a, I32 b, I32 c)
NOSYS(fd_pwrite, I32 a, I32 b, I32 c, I64 d, I32 e)
NOSYS(fd_read, I32 a, I32 b, I32 c, I32 d)
NOSYS(fd_readdir, I32 a, I32 b, I32 c, I64 d, I32 e)
NOSYS(fd_renumber, I32 a, I32 b)
NOSYS(fd_seek, I32 a, I64 b, I32 c, I32 d)
NOSYS(fd_sync, I32 a)
NOSYS(fd_tell, I32 a, I32 b)
NOSYS(fd_write, I32 a, I32 b, I32 c, I32 d)
NOSYS(path_create_directory, I32 a, I32 b, I32 c)
NOSYS(path_filestat_get, I32 a, I32 b, I32 c, I32 d, I32 e)
NOSYS(path_filestat_set_times, I32 a, I32 b, I32 c, I32 d, I64 e, I64 f, I32 g)
NOSYS(path_link, I32 a, I32 b, I32 c, I32 d, I32 e, I32 f, I32 g)
NOSYS(path_open, I32 a, I32 b, I32 c, I32 d, I32 e, I64 f, I64 g, I32 h, I32 i)
NOSYS(path_readlink, I32 a, I32 b, I32 c, I32 d, I32 e, I32 f)
NOSYS(path_remove_directory, I32 a, I32 b, I32 c)
NOSYS(path_rename, I32 a, I32 b, I32 c, I32 d, I32 e, I32 f)
NOSYS(path_symlink, I32 a, I32 b, I32 c, I32 d, I32 e)
NOSYS(path_unlink_file, I32 a, I32 b, I32 c)
NOSYS(poll_oneoff, I32 a, I32 b, I32 c, I32 d)
NOSYS(random_get, I32 a, I32 b)
NOSYS_NO_ARGS(sched_yield)
NOSYS(sock_accept, I32 a, I32 b, I32 c)
NOSYS(sock_recv, I32 a, I32 b, I32 c, I32 d, I32 e, I32 f)
NOSYS(sock_send, I32 a, I32 b, I32 c, I32 d, I32 e)
NOSYS(sock_shutdown, I32 a, I32 b)
