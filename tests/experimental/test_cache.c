/* The perf cache: LRU eviction, TTL, invalidation by op, resizing, a
 * randomized check against a simple model, concurrent readers with a
 * writer; then the same behaviour seen through the dispatcher (cache_size,
 * cache_ttl, stats). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exp_test.h"
#include "experimental/perf_cache.h"

static fgi_pc_key key_of(uint64_t i) { return (fgi_pc_key){{i * 7 + 1, i ^ 0x55, i >> 3}}; }
/* A deliberately poor hash in some tests: collisions exercise probing. */
static uint64_t hash_of(uint64_t i) { return i * 0x9E3779B97F4A7C15ull; }

static fgi_pc_value val_of(uint64_t i)
{
    fgi_pc_value v;
    memset(&v, 0, sizeof v);
    v.n = 2;
    v.kidx[0] = (uint16_t)i;
    v.kidx[1] = (uint16_t)(i + 1);
    v.ns[0] = (float)i;
    return v;
}

static bool has(fgi_pc *pc, uint64_t i, int64_t now)
{
    fgi_pc_key k = key_of(i);
    fgi_pc_value v;
    int64_t exp;
    uint32_t slot;
    bool hit = fgi_pc_lookup(pc, &k, hash_of(i), now, &v, &exp, &slot);
    if (hit) assert_int_equal(v.kidx[0], (uint16_t)i);
    return hit;
}

static void put(fgi_pc *pc, uint64_t i, uint32_t tag, int64_t now)
{
    fgi_pc_key k = key_of(i);
    fgi_pc_value v = val_of(i);
    fgi_pc_insert(pc, &k, hash_of(i), tag, &v, now, NULL, NULL);
}

static void test_lru(void **state)
{
    (void)state;
    fgi_pc *pc;
    assert_int_equal(fgi_pc_create(4, 1000, &pc), FG_OK);
    for (uint64_t i = 1; i <= 4; i++) put(pc, i, 0, 0);
    assert_true(has(pc, 1, 1)); /* 1 becomes the most recently used */
    put(pc, 5, 0, 2);           /* evicts 2, the least recently used */
    assert_false(has(pc, 2, 3));
    assert_true(has(pc, 1, 3) && has(pc, 3, 3) && has(pc, 4, 3) && has(pc, 5, 3));
    put(pc, 6, 0, 4); /* now 1 is the oldest use (3 was looked up after it) */
    assert_false(has(pc, 1, 5));
    fgi_pc_stats st;
    fgi_pc_get_stats(pc, &st);
    assert_int_equal(st.entries, 4);
    assert_int_equal(st.evictions, 2);
    assert_int_equal(st.capacity, 4);
    /* replacing an entry does not evict */
    put(pc, 6, 0, 6);
    fgi_pc_get_stats(pc, &st);
    assert_int_equal(st.entries, 4);
    assert_int_equal(st.evictions, 2);
    fgi_pc_destroy(pc);
}

static void test_ttl(void **state)
{
    (void)state;
    fgi_pc *pc;
    assert_int_equal(fgi_pc_create(8, 100, &pc), FG_OK);
    put(pc, 1, 0, 0);
    put(pc, 2, 0, 50);
    assert_true(has(pc, 1, 99));
    assert_false(has(pc, 1, 100)); /* expired: 100 ns after insertion */
    assert_true(has(pc, 2, 149));
    put(pc, 1, 0, 120); /* re-inserted after expiry */
    assert_true(has(pc, 1, 200));
    fgi_pc_stats st;
    fgi_pc_get_stats(pc, &st);
    assert_int_equal(st.expirations, 1);
    /* when full, an expired entry goes before any live one */
    fgi_pc_destroy(pc);
    assert_int_equal(fgi_pc_create(2, 100, &pc), FG_OK);
    put(pc, 1, 0, 0);
    put(pc, 2, 0, 90);
    assert_true(has(pc, 1, 95)); /* 1 is the most recently used, but expires first */
    put(pc, 3, 0, 150);
    assert_false(has(pc, 1, 151));
    assert_true(has(pc, 2, 151));
    fgi_pc_get_stats(pc, &st);
    assert_int_equal(st.expirations, 1);
    assert_int_equal(st.evictions, 0);
    fgi_pc_destroy(pc);
}

static void test_invalidate_and_resize(void **state)
{
    (void)state;
    fgi_pc *pc;
    assert_int_equal(fgi_pc_create(100, 1000000, &pc), FG_OK);
    for (uint64_t i = 0; i < 90; i++) put(pc, i, (uint32_t)(i % 3), (int64_t)i);
    assert_int_equal(fgi_pc_invalidate(pc, 1), 30);
    for (uint64_t i = 0; i < 90; i++) assert_int_equal(has(pc, i, 1000), i % 3 != 1);
    /* shrink: the most recently used survive (lookups above went in order) */
    assert_int_equal(fgi_pc_configure(pc, 10, 1000000), FG_OK);
    fgi_pc_stats st;
    fgi_pc_get_stats(pc, &st);
    assert_int_equal(st.entries, 10);
    for (uint64_t i = 75; i < 90; i++)
        if (i % 3 != 1) assert_true(has(pc, i, 1001));
    assert_false(has(pc, 0, 1002));
    assert_int_equal(fgi_pc_configure(pc, 1000, 1000000), FG_OK);
    fgi_pc_get_stats(pc, &st);
    assert_int_equal(st.entries, 10);
    assert_true(st.bytes <= 1024 * 1024); /* <= 1 MB per 1000 entries */
    print_message("[ info ] %zu slots, %zu bytes for 1000 entries\n", st.slots, st.bytes);
    fgi_pc_clear(pc);
    fgi_pc_get_stats(pc, &st);
    assert_int_equal(st.entries, 0);
    assert_false(has(pc, 70, 1003));
    fgi_pc_destroy(pc);
}

/* Random inserts, removals and lookups against a plain array model: the
 * backward-shift deletion must never lose or invent an entry. */
static void test_model(void **state)
{
    (void)state;
    enum { N = 300, CAP = 200 };
    fgi_pc *pc;
    assert_int_equal(fgi_pc_create(CAP, (int64_t)1 << 60, &pc), FG_OK);
    bool in[N] = {0};
    int count = 0;
    tu_rng r = {77};
    for (int step = 0; step < 20000; step++) {
        uint64_t i = (uint64_t)tu_below(&r, N);
        fgi_pc_key k = key_of(i);
        switch (tu_below(&r, 3)) {
        case 0:
            if (!in[i] && count == CAP) break; /* would evict: keep the model simple */
            put(pc, i, 0, step);
            if (!in[i]) count++;
            in[i] = true;
            break;
        case 1:
            assert_int_equal(fgi_pc_remove(pc, &k, hash_of(i)), in[i]);
            if (in[i]) count--;
            in[i] = false;
            break;
        default:
            assert_int_equal(has(pc, i, step), in[i]);
            break;
        }
    }
    fgi_pc_stats st;
    fgi_pc_get_stats(pc, &st);
    assert_int_equal(st.entries, (size_t)count);
    fgi_pc_destroy(pc);
}

typedef struct rw_ctx {
    fgi_pc *pc;
    int stop;
    long hits;
} rw_ctx;

static void *reader(void *p)
{
    rw_ctx *c = p;
    long hits = 0;
    while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
        for (uint64_t i = 0; i < 64; i++) {
            fgi_pc_key k = key_of(i);
            fgi_pc_value v;
            int64_t e;
            uint32_t s;
            if (fgi_pc_lookup(c->pc, &k, hash_of(i), 0, &v, &e, &s)) {
                /* never a torn entry: every field belongs to key i */
                assert_int_equal(v.kidx[0], (uint16_t)i);
                assert_int_equal(v.kidx[1], (uint16_t)(i + 1));
                assert_true(v.ns[0] == (float)i);
                hits++;
            }
        }
    c->hits = hits;
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    rw_ctx c = {0};
    assert_int_equal(fgi_pc_create(32, (int64_t)1 << 60, &c.pc), FG_OK);
    pthread_t th[3];
    rw_ctx cs[3];
    for (int t = 0; t < 3; t++) {
        cs[t] = c;
        pthread_create(&th[t], NULL, reader, &cs[t]);
    }
    tu_rng r = {5};
    for (int step = 0; step < 20000; step++) {
        uint64_t i = (uint64_t)tu_below(&r, 64);
        fgi_pc_key k = key_of(i);
        if (tu_below(&r, 4) == 0)
            fgi_pc_remove(c.pc, &k, hash_of(i));
        else
            put(c.pc, i, (uint32_t)(i & 1), 0);
        if (step % 5000 == 4999) fgi_pc_configure(c.pc, step % 10000 == 4999 ? 8 : 32, (int64_t)1 << 60);
        if (step % 7000 == 6999) fgi_pc_invalidate(c.pc, 1);
    }
    for (int t = 0; t < 3; t++) __atomic_store_n(&cs[t].stop, 1, __ATOMIC_RELEASE);
    for (int t = 0; t < 3; t++) pthread_join(th[t], NULL);
    print_message("[ info ] reader hits: %ld %ld %ld\n", cs[0].hits, cs[1].hits, cs[2].hits);
    fgi_pc_destroy(c.pc);
}

/* ---------------------------------------------------------------- through the dispatcher */

static void test_dispatcher_cache(void **state)
{
    (void)state;
    et_reset();
    assert_int_equal(fg_exp_set_config_json("{\"cache_size\": 2}"), FG_OK);
    int64_t shapes[3] = {10, 100, 1000};
    tu_tensor *x[3], *y[3];
    for (int i = 0; i < 3; i++) {
        x[i] = et_rand(FGI_F32, 1, &shapes[i], (uint64_t)i, -1, 1);
        y[i] = tu_new(FGI_F32, 1, &shapes[i], TU_CONTIG);
    }
    for (int i = 0; i < 3; i++) assert_int_equal(fg_relu(&y[i]->t, &x[i]->t), FG_OK);
    fg_exp_statistics s;
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.cache_entries, 2);
    assert_int_equal(s.cache_evictions, 1);
    assert_int_equal(s.cache_misses, 3);
    /* TTL: an entry older than cache_ttl is decided again */
    et_reset();
    assert_int_equal(fg_exp_set_config_json("{\"cache_ttl\": 1}"), FG_OK);
    assert_int_equal(fg_relu(&y[0]->t, &x[0]->t), FG_OK);
    assert_int_equal(fg_relu(&y[0]->t, &x[0]->t), FG_OK);
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.cache_misses, 1);
    assert_int_equal(s.cache_hits, 1);
    usleep(1100000);
    assert_int_equal(fg_relu(&y[0]->t, &x[0]->t), FG_OK);
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.cache_misses, 2);
    assert_int_equal(s.cache_expirations, 1);
    /* invalidate(op) drops that op's decisions only */
    et_reset();
    assert_int_equal(fg_relu(&y[1]->t, &x[1]->t), FG_OK);
    assert_int_equal(fg_exp(&y[2]->t, &x[2]->t), FG_OK);
    assert_int_equal(fg_exp_cache_invalidate("relu"), FG_OK);
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.cache_entries, 1);
    assert_int_equal(fg_relu(&y[1]->t, &x[1]->t), FG_OK);
    assert_int_equal(fg_exp(&y[2]->t, &x[2]->t), FG_OK);
    assert_int_equal(fg_exp_stats(&s), FG_OK);
    assert_int_equal(s.cache_misses, 3);
    assert_int_equal(s.cache_hits, 1);
    assert_int_equal(fg_exp_cache_invalidate("conv"), FG_ERR_NOT_FOUND);
    for (int i = 0; i < 3; i++) {
        tu_free(x[i]);
        tu_free(y[i]);
    }
    et_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lru),
        cmocka_unit_test(test_ttl),
        cmocka_unit_test(test_invalidate_and_resize),
        cmocka_unit_test(test_model),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_dispatcher_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
