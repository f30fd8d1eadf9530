//! Keeping SQLite's freed memory small. Each SQLite connection runs on a thread of its
//! own, and glibc's malloc (SQLite's allocator; Rust's is jemalloc) gives such threads
//! arenas of their own that keep freed memory for later. A region's summary makes SQLite
//! allocate several MiB on its connection's thread (`sqlite3_memory_highwater`) and free it
//! again, so every connection that had run one held that much resident, and the server's
//! peak RSS grew with the number of connections that had. So the connections share one
//! arena, where each reuses what another freed, and a summary hands its freed pages back
//! when it is done: trimming one arena is cheap beside the summary that filled it.

use std::sync::Once;

/// Lets every thread that allocates from now on share malloc's main arena. A thread that
/// has allocated already keeps the arena it took (set only by the pool, the benchmark's
/// server still had two), so a binary calls this before it starts any thread; a SQLite pool
/// calls it too before it opens its connections, for embedders that did not.
pub fn share_one_arena() {
    static SET: Once = Once::new();
    SET.call_once(|| {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallopt only changes a limit malloc reads when a thread first allocates.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    });
}

/// Returns the free pages of every malloc arena to the system.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only hands free pages back; it takes each arena's own lock.
    unsafe {
        libc::malloc_trim(0);
    }
}
