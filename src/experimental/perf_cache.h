/* The performance cache (seed §2.3): per feature key, the dispatcher's
 * ordered kernel list (the measured or chosen best first) and the measured
 * times. LRU with a capacity in entries and a time to live.
 *
 * Concurrency: lookups take no lock and never allocate. Slots are inline
 * in an open-addressing table (linear probing) and read under a per-slot
 * sequence counter: a reader that overlaps a writer sees a miss, never a
 * torn entry. Writers (insert, remove, invalidate, resize) serialize on one
 * mutex. A resized table's old array is kept until fgi_pc_destroy, because
 * a reader may still be probing it; resizes happen only when cache_size
 * changes. A miss from the lock-free lookup can be spurious while a writer
 * moves entries: fgi_pc_lookup_locked gives the definitive answer. */
#ifndef FGI_EXPERIMENTAL_PERF_CACHE_H
#define FGI_EXPERIMENTAL_PERF_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flaggems/flaggems.h"

#define FGI_PC_MAXK 8

typedef struct fgi_pc_key {
    uint64_t w[3];
} fgi_pc_key;

/* What an entry holds: up to FGI_PC_MAXK kernel indices (fgi_kernel_index)
 * in the order to try them, the median time measured for each (0: not
 * measured) and flags owned by the caller. */
typedef struct fgi_pc_value {
    uint8_t n;
    uint8_t flags;
    uint16_t kidx[FGI_PC_MAXK];
    float ns[FGI_PC_MAXK];
} fgi_pc_value;

typedef struct fgi_pc fgi_pc;

typedef struct fgi_pc_stats {
    uint64_t hits, misses, inserts, evictions, expirations;
    size_t entries;  /* live entries */
    size_t capacity; /* entries allowed (cache_size) */
    size_t slots;    /* slots in the table */
    size_t bytes;    /* memory of the current table and header */
} fgi_pc_stats;

/* capacity: entries (>= 1); ttl_ns: lifetime of an entry (> 0).
 * FG_ERR_NO_MEMORY / FG_ERR_INVALID_ARG; *out NULL on failure. */
fg_status fgi_pc_create(size_t capacity, int64_t ttl_ns, fgi_pc **out);
void fgi_pc_destroy(fgi_pc *pc);
/* New capacity and TTL. Shrinking evicts least recently used entries; a
 * table of another size is built when the slot count changes. TTL applies
 * to entries inserted from now on. */
fg_status fgi_pc_configure(fgi_pc *pc, size_t capacity, int64_t ttl_ns);

/* Lock-free lookup of an unexpired entry; on a hit fills *val, *expires
 * (entry's expiry time) and *slot (for fgi_pc_touch) and refreshes its LRU
 * position. Counts a hit or a miss. */
bool fgi_pc_lookup(fgi_pc *pc, const fgi_pc_key *key, uint64_t hash, int64_t now_ns, fgi_pc_value *val,
                   int64_t *expires, uint32_t *slot);
/* The same under the writers' lock (no spurious misses); counts nothing. */
bool fgi_pc_lookup_locked(fgi_pc *pc, const fgi_pc_key *key, uint64_t hash, int64_t now_ns, fgi_pc_value *val,
                          int64_t *expires, uint32_t *slot);
/* Marks slot as used now (a caller that keeps its own copy of an entry
 * reports its use now and then). Harmless on a stale slot. */
void fgi_pc_touch(fgi_pc *pc, uint32_t slot);
/* Inserts or replaces key's entry (tag: the op, for invalidation), evicting
 * the expired or least recently used entry when full. */
void fgi_pc_insert(fgi_pc *pc, const fgi_pc_key *key, uint64_t hash, uint32_t tag, const fgi_pc_value *val,
                   int64_t now_ns, int64_t *expires, uint32_t *slot);
bool fgi_pc_remove(fgi_pc *pc, const fgi_pc_key *key, uint64_t hash);
/* Removes every entry with that tag (seed: invalidate(op_name)); returns how many. */
size_t fgi_pc_invalidate(fgi_pc *pc, uint32_t tag);
void fgi_pc_clear(fgi_pc *pc);

void fgi_pc_get_stats(fgi_pc *pc, fgi_pc_stats *st);
void fgi_pc_reset_stats(fgi_pc *pc);

#endif
