/* Performance cache: see perf_cache.h for the concurrency scheme.
 *
 * Slot protocol (seqlock): a writer (holding pc->mu) stores seq odd, then
 * the fields with release stores, then seq even with a release store. A
 * reader loads seq, the fields and seq again, all with acquire loads; equal
 * even values mean the fields belong to one version. Every field access is
 * atomic, so the scheme is also clean under ThreadSanitizer. The LRU stamp
 * is outside the protocol: readers store it with relaxed stores, and a
 * stale stamp only changes which entry is evicted.
 *
 * Memory is plain malloc, not fgi_alloc: the cache lives as long as the
 * process, and fgi_alloc's live-bytes count must drop to zero for
 * fg_set_allocator to succeed. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "experimental/perf_cache.h"

#define VAL_WORDS ((sizeof(fgi_pc_value) + 7) / 8)
/* Eviction looks at this many occupied slots from a rotating cursor and
 * drops the least recently used: exact LRU while the table has at most this
 * many slots (cache_size up to 48), Redis-style sampled LRU above. */
#define EVICT_SAMPLE 64

typedef struct pc_slot {
    uint32_t seq;
    uint32_t tag; /* 0: empty, else the caller's tag + 1 */
    uint64_t hash;
    uint64_t key[3];
    int64_t expires;
    uint64_t stamp; /* LRU clock value of the last use */
    uint64_t val[VAL_WORDS];
} __attribute__((aligned(64))) pc_slot;

typedef struct pc_table {
    size_t nslots; /* power of two */
    pc_slot *slots;
    struct pc_table *retired; /* older tables, freed at destroy */
} pc_table;

struct fgi_pc {
    pc_table *table; /* atomic pointer */
    pthread_mutex_t mu;
    size_t capacity;
    int64_t ttl_ns;
    size_t count;                                           /* live entries (writers only) */
    size_t cursor;                                          /* eviction sampling position */
    uint64_t clock;                                         /* LRU clock, atomic */
    uint64_t hits, misses, inserts, evictions, expirations; /* atomic */
};

static inline uint64_t ld64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void st64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline void add64(uint64_t *p, uint64_t v) { __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }

static size_t slots_for(size_t capacity)
{
    /* load factor at most 3/4 keeps linear probes short */
    size_t want = capacity + capacity / 3 + 1, n = 8;
    while (n < want) n <<= 1;
    return n;
}

static pc_table *table_new(size_t nslots)
{
    pc_table *t = malloc(sizeof *t);
    if (!t) return NULL;
    t->slots = aligned_alloc(64, nslots * sizeof(pc_slot));
    if (!t->slots) {
        free(t);
        return NULL;
    }
    memset(t->slots, 0, nslots * sizeof(pc_slot));
    t->nslots = nslots;
    t->retired = NULL;
    return t;
}

fg_status fgi_pc_create(size_t capacity, int64_t ttl_ns, fgi_pc **out)
{
    *out = NULL;
    FG_RETURN_IF(capacity < 1 || ttl_ns <= 0, FG_ERR_INVALID_ARG,
                 "perf cache needs capacity >= 1 and ttl > 0 (got %zu, %lld ns)", capacity,
                 (long long)ttl_ns);
    fgi_pc *pc = calloc(1, sizeof *pc);
    FG_RETURN_IF(!pc, FG_ERR_NO_MEMORY, "perf cache");
    pc->table = table_new(slots_for(capacity));
    if (!pc->table) {
        free(pc);
        return FG_ERROR(FG_ERR_NO_MEMORY, "perf cache table of %zu entries", capacity);
    }
    pthread_mutex_init(&pc->mu, NULL);
    pc->capacity = capacity;
    pc->ttl_ns = ttl_ns;
    *out = pc;
    return FG_OK;
}

void fgi_pc_destroy(fgi_pc *pc)
{
    if (!pc) return;
    for (pc_table *t = pc->table, *next; t; t = next) {
        next = t->retired;
        free(t->slots);
        free(t);
    }
    pthread_mutex_destroy(&pc->mu);
    free(pc);
}

/* ---------------------------------------------------------------- slot access */

static inline bool slot_key_eq(const pc_slot *s, const fgi_pc_key *key, uint64_t hash)
{
    return ld64(&s->hash) == hash && ld64(&s->key[0]) == key->w[0] && ld64(&s->key[1]) == key->w[1] &&
           ld64(&s->key[2]) == key->w[2];
}

/* Reads the entry at s if it holds key, consistently. */
static bool slot_read(pc_slot *s, const fgi_pc_key *key, uint64_t hash, fgi_pc_value *val, int64_t *expires)
{
    uint32_t s1 = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
    if (s1 & 1u) return false;
    if (!slot_key_eq(s, key, hash) || __atomic_load_n(&s->tag, __ATOMIC_ACQUIRE) == 0) return false;
    uint64_t w[VAL_WORDS];
    for (size_t i = 0; i < VAL_WORDS; i++) w[i] = ld64(&s->val[i]);
    int64_t exp = (int64_t)ld64((uint64_t *)&s->expires);
    if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != s1) return false;
    memcpy(val, w, sizeof *val);
    *expires = exp;
    return true;
}

/* Writers hold pc->mu. */
static void slot_write(pc_slot *s, uint32_t tag1, uint64_t hash, const uint64_t key[3], int64_t expires,
                       uint64_t stamp, const uint64_t *val)
{
    uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
    __atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&s->tag, tag1, __ATOMIC_RELEASE);
    st64(&s->hash, hash);
    for (int i = 0; i < 3; i++) st64(&s->key[i], key[i]);
    st64((uint64_t *)&s->expires, (uint64_t)expires);
    for (size_t i = 0; i < VAL_WORDS; i++) st64(&s->val[i], val[i]);
    __atomic_store_n(&s->stamp, stamp, __ATOMIC_RELAXED);
    __atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
}

static void slot_clear(pc_slot *s)
{
    static const uint64_t zero[VAL_WORDS > 3 ? VAL_WORDS : 3];
    slot_write(s, 0, 0, zero, 0, 0, zero);
}

static void slot_copy(pc_slot *dst, const pc_slot *src)
{
    slot_write(dst, src->tag, src->hash, src->key, src->expires,
               __atomic_load_n(&src->stamp, __ATOMIC_RELAXED), src->val);
}

/* ---------------------------------------------------------------- lookup */

static bool lookup(fgi_pc *pc, const fgi_pc_key *key, uint64_t hash, int64_t now_ns, fgi_pc_value *val,
                   int64_t *expires, uint32_t *slot)
{
    pc_table *t = __atomic_load_n(&pc->table, __ATOMIC_ACQUIRE);
    size_t mask = t->nslots - 1;
    for (size_t i = hash & mask, probes = 0; probes < t->nslots; i = (i + 1) & mask, probes++) {
        pc_slot *s = &t->slots[i];
        if (__atomic_load_n(&s->tag, __ATOMIC_ACQUIRE) == 0 &&
            !(__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) & 1u))
            return false;
        int64_t exp;
        if (!slot_read(s, key, hash, val, &exp)) continue;
        if (now_ns >= exp) return false;
        __atomic_store_n(&s->stamp, __atomic_add_fetch(&pc->clock, 1, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
        if (expires) *expires = exp;
        if (slot) *slot = (uint32_t)i;
        return true;
    }
    return false;
}

bool fgi_pc_lookup(fgi_pc *pc, const fgi_pc_key *key, uint64_t hash, int64_t now_ns, fgi_pc_value *val,
                   int64_t *expires, uint32_t *slot)
{
    bool hit = lookup(pc, key, hash, now_ns, val, expires, slot);
    add64(hit ? &pc->hits : &pc->misses, 1);
    return hit;
}

bool fgi_pc_lookup_locked(fgi_pc *pc, const fgi_pc_key *key, uint64_t hash, int64_t now_ns, fgi_pc_value *val,
                          int64_t *expires, uint32_t *slot)
{
    pthread_mutex_lock(&pc->mu);
    bool hit = lookup(pc, key, hash, now_ns, val, expires, slot);
    pthread_mutex_unlock(&pc->mu);
    return hit;
}

void fgi_pc_touch(fgi_pc *pc, uint32_t slot)
{
    pc_table *t = __atomic_load_n(&pc->table, __ATOMIC_ACQUIRE);
    if (slot >= t->nslots) return;
    __atomic_store_n(&t->slots[slot].stamp, __atomic_add_fetch(&pc->clock, 1, __ATOMIC_RELAXED),
                     __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- writers (pc->mu held) */

/* Removes the entry at slot i of t and closes the gap (backward shift), so
 * probes stay correct without tombstones. */
static void remove_at(fgi_pc *pc, pc_table *t, size_t i)
{
    size_t mask = t->nslots - 1, hole = i;
    for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
        pc_slot *s = &t->slots[j];
        if (s->tag == 0) break;
        size_t home = s->hash & mask;
        /* s may fill the hole unless its home lies cyclically in (hole, j] */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (stays) continue;
        slot_copy(&t->slots[hole], s);
        hole = j;
    }
    slot_clear(&t->slots[hole]);
    pc->count--;
}

static size_t find_locked(pc_table *t, const fgi_pc_key *key, uint64_t hash, bool *found)
{
    size_t mask = t->nslots - 1, i = hash & mask;
    for (size_t probes = 0; probes < t->nslots; i = (i + 1) & mask, probes++) {
        const pc_slot *s = &t->slots[i];
        if (s->tag == 0) break;
        if (s->hash == hash && s->key[0] == key->w[0] && s->key[1] == key->w[1] && s->key[2] == key->w[2]) {
            *found = true;
            return i;
        }
    }
    *found = false;
    return i;
}

/* Drops one entry: an expired one among the sample if any, else the least
 * recently used of the sample. */
static void evict_one(fgi_pc *pc, pc_table *t, int64_t now_ns, size_t sample)
{
    size_t mask = t->nslots - 1, best = SIZE_MAX, seen = 0;
    uint64_t best_stamp = UINT64_MAX;
    bool best_expired = false;
    for (size_t k = 0; k < t->nslots && seen < sample; k++) {
        size_t i = (pc->cursor + k) & mask;
        const pc_slot *s = &t->slots[i];
        if (s->tag == 0) continue;
        seen++;
        bool expired = now_ns >= s->expires;
        uint64_t stamp = __atomic_load_n(&s->stamp, __ATOMIC_RELAXED);
        if ((expired && !best_expired) || (expired == best_expired && stamp < best_stamp)) {
            best = i;
            best_stamp = stamp;
            best_expired = expired;
        }
    }
    if (best == SIZE_MAX) return;
    pc->cursor = (best + 1) & mask;
    add64(best_expired ? &pc->expirations : &pc->evictions, 1);
    remove_at(pc, t, best);
}

void fgi_pc_insert(fgi_pc *pc, const fgi_pc_key *key, uint64_t hash, uint32_t tag, const fgi_pc_value *val,
                   int64_t now_ns, int64_t *expires, uint32_t *slot)
{
    uint64_t w[VAL_WORDS] = {0};
    memcpy(w, val, sizeof *val);
    pthread_mutex_lock(&pc->mu);
    pc_table *t = pc->table;
    int64_t exp = now_ns + pc->ttl_ns;
    bool found;
    size_t i = find_locked(t, key, hash, &found);
    if (found) {
        if (now_ns >= t->slots[i].expires) add64(&pc->expirations, 1);
    } else {
        if (pc->count >= pc->capacity) {
            evict_one(pc, t, now_ns, EVICT_SAMPLE);
            i = find_locked(t, key, hash, &found); /* the gap may have moved */
        }
        pc->count++;
    }
    slot_write(&t->slots[i], tag + 1, hash, key->w, exp, __atomic_add_fetch(&pc->clock, 1, __ATOMIC_RELAXED),
               w);
    add64(&pc->inserts, 1);
    pthread_mutex_unlock(&pc->mu);
    if (expires) *expires = exp;
    if (slot) *slot = (uint32_t)i;
}

bool fgi_pc_remove(fgi_pc *pc, const fgi_pc_key *key, uint64_t hash)
{
    pthread_mutex_lock(&pc->mu);
    bool found;
    size_t i = find_locked(pc->table, key, hash, &found);
    if (found) remove_at(pc, pc->table, i);
    pthread_mutex_unlock(&pc->mu);
    return found;
}

size_t fgi_pc_invalidate(fgi_pc *pc, uint32_t tag)
{
    size_t n = 0;
    pthread_mutex_lock(&pc->mu);
    pc_table *t = pc->table;
    /* a backward shift can move an unvisited entry into the slot just
     * examined: examine it again before moving on */
    for (size_t i = 0; i < t->nslots;) {
        if (t->slots[i].tag == tag + 1) {
            remove_at(pc, t, i);
            n++;
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&pc->mu);
    return n;
}

void fgi_pc_clear(fgi_pc *pc)
{
    pthread_mutex_lock(&pc->mu);
    pc_table *t = pc->table;
    for (size_t i = 0; i < t->nslots; i++)
        if (t->slots[i].tag) slot_clear(&t->slots[i]);
    pc->count = 0;
    pthread_mutex_unlock(&pc->mu);
}

fg_status fgi_pc_configure(fgi_pc *pc, size_t capacity, int64_t ttl_ns)
{
    FG_RETURN_IF(capacity < 1 || ttl_ns <= 0, FG_ERR_INVALID_ARG,
                 "perf cache needs capacity >= 1 and ttl > 0 (got %zu, %lld ns)", capacity,
                 (long long)ttl_ns);
    pthread_mutex_lock(&pc->mu);
    pc->ttl_ns = ttl_ns;
    pc_table *t = pc->table;
    size_t want = slots_for(capacity);
    if (want != t->nslots) {
        pc_table *nt = table_new(want);
        if (!nt) {
            pthread_mutex_unlock(&pc->mu);
            return FG_ERROR(FG_ERR_NO_MEMORY, "perf cache table of %zu entries", capacity);
        }
        /* shrink first in the old table, so the survivors are the most
         * recently used (exactly: a rare operation may scan everything);
         * then rehash them */
        while (pc->count > capacity) evict_one(pc, t, INT64_MIN, SIZE_MAX);
        size_t mask = want - 1, moved = 0;
        for (size_t i = 0; i < t->nslots; i++) {
            const pc_slot *s = &t->slots[i];
            if (!s->tag) continue;
            size_t j = s->hash & mask;
            while (nt->slots[j].tag) j = (j + 1) & mask;
            slot_copy(&nt->slots[j], s);
            moved++;
        }
        pc->count = moved;
        pc->cursor = 0;
        nt->retired = t;
        __atomic_store_n(&pc->table, nt, __ATOMIC_RELEASE);
    } else {
        while (pc->count > capacity) evict_one(pc, t, INT64_MIN, SIZE_MAX);
    }
    pc->capacity = capacity;
    pthread_mutex_unlock(&pc->mu);
    return FG_OK;
}

void fgi_pc_get_stats(fgi_pc *pc, fgi_pc_stats *st)
{
    pthread_mutex_lock(&pc->mu);
    st->hits = __atomic_load_n(&pc->hits, __ATOMIC_RELAXED);
    st->misses = __atomic_load_n(&pc->misses, __ATOMIC_RELAXED);
    st->inserts = __atomic_load_n(&pc->inserts, __ATOMIC_RELAXED);
    st->evictions = __atomic_load_n(&pc->evictions, __ATOMIC_RELAXED);
    st->expirations = __atomic_load_n(&pc->expirations, __ATOMIC_RELAXED);
    st->entries = pc->count;
    st->capacity = pc->capacity;
    st->slots = pc->table->nslots;
    st->bytes = sizeof *pc + sizeof(pc_table) + pc->table->nslots * sizeof(pc_slot);
    pthread_mutex_unlock(&pc->mu);
}

void fgi_pc_reset_stats(fgi_pc *pc)
{
    __atomic_store_n(&pc->hits, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&pc->misses, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&pc->inserts, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&pc->evictions, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&pc->expirations, 0, __ATOMIC_RELAXED);
}
