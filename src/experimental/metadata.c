/* The metadata store: loading with recovery and migration, the in-memory
 * index, durable atomic writes under a file lock, optimistic concurrency,
 * and the mutation API. Schema and text forms are in meta_schema.c,
 * reports and the graduation view in meta_report.c.
 *
 * Concurrency model. Kernel entries are immutable and reference counted: a
 * mutation builds a new entry and swaps the pointer, so readers (get, query)
 * hold a read lock only for a hash lookup and never wait for disk I/O.
 * Writers on one handle are serialized by `wmu`; writers across handles and
 * processes by flock on <file>.lock. Each write is checked against the file
 * this handle last read or wrote (`base`): unchanged -> write; changed and
 * nothing unsaved -> re-read first (a read-modify-write never loses another
 * writer's update); changed with unsaved changes -> FG_ERR_CONFLICT. */
#define FGI_META_PRIVATE
#include "experimental/metadata.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/log.h"
#include "core/time.h"

#define MAX_INPUT_BYTES ((size_t)4 << 20) /* entry_json / patch_json */
#define HEAD_BYTES 256

/* ================================================================ types */

/* What this handle knows about the file it last read or wrote. */
typedef struct disk_id {
    int exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
    uint64_t hash;
    int hash_lazy; /* hash not computed: the file is the handle's document as it is (see commit_text) */
    size_t head_len;
    char head[HEAD_BYTES];
} disk_id;

typedef struct meta_doc {
    fgi_meta_entry **sorted; /* by kernel id */
    size_t n, cap;
    fgi_meta_entry **kid_tab, **uuid_tab; /* open addressing, tab_cap a power of 2 */
    size_t tab_cap;
    char last_updated[48];
    json_t *tracker; /* the canonical tracker document (tracker kind) */
} meta_doc;

struct fgi_meta_store {
    fgi_meta_kind kind;
    unsigned flags;
    int in_memory;
    char *path, *dir, *base_name, *lock_path, *bak_path, *corrupt_path, *name;
    char *repo_root; /* NULL: no symlink checks */
    int lock_fd;
    pthread_mutex_t wmu;
    pthread_rwlock_t rw;
    meta_doc doc;
    disk_id base;
    size_t unsaved;
    fgi_meta_write_stats stats;
    fgi_meta_criteria_fn crit;
    void *crit_ctx;
    char report[1024];
};

/* A prepared mutation: published only after it is durable. */
typedef struct change {
    fgi_meta_entry *neu; /* new entry; its reference moves into the doc */
    fgi_meta_entry *old; /* the entry it replaces, or NULL for an insert */
    json_t *tracker;     /* the new tracker document */
} change;

/* ================================================================ small helpers */

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static char *concat(const char *a, const char *b, const char *c)
{
    size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
    char *p = malloc(na + nb + nc + 1);
    if (!p) return NULL;
    memcpy(p, a, na);
    memcpy(p + na, b, nb);
    memcpy(p + na + nb, c, nc + 1);
    return p;
}

/* Eight independent 64-bit multiply lanes over 64-byte blocks, fed in
 * pieces, mixed at the end: each lane's step (xor a word, multiply by an odd
 * constant) is a bijection of its state, so a change confined to one word
 * always changes the result, and eight chains in flight keep the multiplier busy
 * (a 4 MB document in ~0.2 ms). Not cryptographic: it tells our own
 * versions apart, it is no defence against a forger (who could also just
 * write the file). */
enum { HASH_LANES = 8, HASH_BLOCK = 8 * HASH_LANES };

typedef struct hasher {
    uint64_t h[HASH_LANES];
    size_t total, nc;
    unsigned char carry[HASH_BLOCK];
} hasher;

static void hash_block(hasher *x, const unsigned char *p)
{
    for (int l = 0; l < HASH_LANES; l++) {
        uint64_t w;
        memcpy(&w, p + 8 * l, 8);
        x->h[l] = (x->h[l] ^ w) * 0xff51afd7ed558ccdull;
    }
}

static void hash_init(hasher *x)
{
    memset(x, 0, sizeof *x);
    for (int l = 0; l < HASH_LANES; l++) x->h[l] = 0x9E3779B97F4A7C15ull * (uint64_t)(l + 1);
}

static void hash_update(hasher *x, const char *data, size_t n)
{
    const unsigned char *p = (const unsigned char *)data;
    x->total += n;
    if (x->nc) {
        size_t take = HASH_BLOCK - x->nc < n ? HASH_BLOCK - x->nc : n;
        memcpy(x->carry + x->nc, p, take);
        x->nc += take;
        p += take;
        n -= take;
        if (x->nc < HASH_BLOCK) return;
        hash_block(x, x->carry);
        x->nc = 0;
    }
    for (; n >= HASH_BLOCK; p += HASH_BLOCK, n -= HASH_BLOCK) hash_block(x, p);
    memcpy(x->carry, p, n);
    x->nc = n;
}

static uint64_t hash_final(hasher *x)
{
    memset(x->carry + x->nc, 0, HASH_BLOCK - x->nc);
    hash_block(x, x->carry);
    uint64_t h = x->total;
    for (int l = 0; l < HASH_LANES; l++) h = (h ^ x->h[l] ^ (x->h[l] >> 29)) * 0xc4ceb9fe1a85ec53ull, h ^= h >> 33;
    return h;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
    hasher x;
    hash_init(&x);
    hash_update(&x, p, n);
    return hash_final(&x);
}

static int64_t now_realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void now_text(char *buf, size_t n)
{
    /* Whole microseconds: readable, and still strictly increasing below. */
    int64_t t = now_realtime_ns();
    fgi_meta_time_format(t - t % 1000, buf, n);
}

/* The next last_updated: now, but always later than the current one, so
 * every version of the file differs in its first bytes (see sync_disk). */
static void next_stamp(const char *prev, char *buf, size_t n)
{
    int64_t t = now_realtime_ns();
    t -= t % 1000;
    int64_t p;
    fgi_error_clear();
    if (prev[0] && fgi_meta_time_parse(prev, &p) == FG_OK && t <= p) t = p - p % 1000 + 1000;
    fgi_error_clear();
    fgi_meta_time_format(t, buf, n);
}

/* ================================================================ the index */

static fgi_meta_entry **tab_slot(fgi_meta_entry **tab, size_t cap, uint64_t h, const char *key,
                                 int by_uuid)
{
    size_t mask = cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        fgi_meta_entry *e = tab[i];
        if (!e) return &tab[i];
        if ((by_uuid ? e->uuid_hash : e->kid_hash) == h &&
            strcmp(by_uuid ? e->op.op_id : e->op.kernel_id, key) == 0)
            return &tab[i];
    }
}

/* Makes room for one more entry; the only step of an insert that can fail,
 * so it runs before the write and publishing cannot fail. */
static int doc_reserve(meta_doc *d, size_t extra)
{
    size_t need = d->n + extra;
    if (need > d->cap) {
        size_t cap = d->cap ? d->cap : 16;
        while (cap < need) cap *= 2;
        fgi_meta_entry **p = realloc(d->sorted, cap * sizeof *p);
        if (!p) return 0;
        d->sorted = p;
        d->cap = cap;
    }
    if (need * 2 > d->tab_cap) {
        size_t cap = d->tab_cap ? d->tab_cap : 32;
        while (need * 2 > cap) cap *= 2;
        fgi_meta_entry **kt = calloc(cap, sizeof *kt), **ut = calloc(cap, sizeof *ut);
        if (!kt || !ut) {
            free(kt);
            free(ut);
            return 0;
        }
        for (size_t i = 0; i < d->n; i++) {
            fgi_meta_entry *e = d->sorted[i];
            *tab_slot(kt, cap, e->kid_hash, e->op.kernel_id, 0) = e;
            *tab_slot(ut, cap, e->uuid_hash, e->op.op_id, 1) = e;
        }
        free(d->kid_tab);
        free(d->uuid_tab);
        d->kid_tab = kt;
        d->uuid_tab = ut;
        d->tab_cap = cap;
    }
    return 1;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp((*(fgi_meta_entry *const *)a)->op.kernel_id,
                  (*(fgi_meta_entry *const *)b)->op.kernel_id);
}

static size_t doc_lower_bound(const meta_doc *d, const char *kid)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(d->sorted[mid]->op.kernel_id, kid) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static fgi_meta_entry *doc_find_kid(const meta_doc *d, const char *kid)
{
    if (!d->tab_cap) return NULL;
    return *tab_slot(d->kid_tab, d->tab_cap, fgi_meta_hash(kid), kid, 0);
}

static fgi_meta_entry *doc_find_uuid(const meta_doc *d, const char *uuid)
{
    if (!d->tab_cap || strlen(uuid) != 36) return NULL;
    char low[37];
    for (int i = 0; i < 37; i++) low[i] = (char)((uuid[i] >= 'A' && uuid[i] <= 'F') ? uuid[i] + 32 : uuid[i]);
    return *tab_slot(d->uuid_tab, d->tab_cap, fgi_meta_hash(low), low, 1);
}

static fgi_meta_entry *doc_find(const meta_doc *d, const char *key)
{
    fgi_meta_entry *e = doc_find_kid(d, key);
    return e ? e : doc_find_uuid(d, key);
}

/* Caller reserved room (doc_reserve). */
static void doc_insert(meta_doc *d, fgi_meta_entry *e)
{
    size_t pos = doc_lower_bound(d, e->op.kernel_id);
    memmove(d->sorted + pos + 1, d->sorted + pos, (d->n - pos) * sizeof *d->sorted);
    d->sorted[pos] = e;
    d->n++;
    *tab_slot(d->kid_tab, d->tab_cap, e->kid_hash, e->op.kernel_id, 0) = e;
    *tab_slot(d->uuid_tab, d->tab_cap, e->uuid_hash, e->op.op_id, 1) = e;
}

/* Same kernel id and op_id (both immutable), so every slot stays put. */
static void doc_replace(meta_doc *d, fgi_meta_entry *old, fgi_meta_entry *neu)
{
    size_t pos = doc_lower_bound(d, old->op.kernel_id);
    d->sorted[pos] = neu;
    *tab_slot(d->kid_tab, d->tab_cap, old->kid_hash, old->op.kernel_id, 0) = neu;
    *tab_slot(d->uuid_tab, d->tab_cap, old->uuid_hash, old->op.op_id, 1) = neu;
}

static void doc_free(meta_doc *d)
{
    for (size_t i = 0; i < d->n; i++) fgi_meta_entry_unref(d->sorted[i]);
    free(d->sorted);
    free(d->kid_tab);
    free(d->uuid_tab);
    json_decref(d->tracker);
    memset(d, 0, sizeof *d);
}

/* ================================================================ text of a document */

static int entry_text(fgi_meta_entry *e)
{
    if (e->text) return 1;
    fgi_mbuf b = {0};
    fgi_meta_write_entry(&b, &e->op, 2);
    if (b.oom) {
        free(b.data);
        return 0;
    }
    e->text = b.data;
    e->text_len = b.len;
    return 1;
}

/* The text of a document as pieces: small glue (braces, keys) in one
 * buffer, and each entry's cached text in place. Writing it with writev
 * never builds the whole document in memory. */
typedef struct piece {
    const char *ptr; /* NULL: glue.data + off */
    size_t off, len;
} piece;

typedef struct doc_text {
    fgi_mbuf glue;
    piece *p;
    size_t n, cap, total;
    int oom;
} doc_text;

static void text_free(doc_text *t)
{
    free(t->glue.data);
    free(t->p);
    memset(t, 0, sizeof *t);
}

static piece *text_piece(doc_text *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        piece *p = realloc(t->p, cap * sizeof *p);
        if (!p) {
            t->oom = 1;
            return NULL;
        }
        t->p = p;
        t->cap = cap;
    }
    return &t->p[t->n++];
}

/* Appends glue text (a piece over the glue buffer). */
static void text_glue(doc_text *t, const char *s)
{
    size_t off = t->glue.len, n = strlen(s);
    fgi_mbuf_putn(&t->glue, s, n);
    piece *p = text_piece(t);
    if (!p) return;
    *p = (piece){NULL, off, n};
    t->total += n;
}

static void text_ref(doc_text *t, const char *s, size_t n)
{
    piece *p = text_piece(t);
    if (!p) return;
    *p = (piece){s, 0, n};
    t->total += n;
}

static const char *piece_ptr(const doc_text *t, const piece *p)
{
    return p->ptr ? p->ptr : t->glue.data + p->off;
}

static void text_key(doc_text *t, int first, const char *kid)
{
    fgi_mbuf k = {0};
    fgi_mbuf_puts(&k, first ? "\n    " : ",\n    ");
    fgi_mbuf_json_string(&k, kid);
    fgi_mbuf_puts(&k, ": ");
    if (k.oom) t->oom = 1;
    else text_glue(t, k.data);
    free(k.data);
}

/* The document, with `ch` applied, stamped `last_updated`. Caller holds
 * wmu (entry text caches are filled here). */
static int serialize(fgi_meta_store *s, const change *ch, const char *last_updated, doc_text *t)
{
    memset(t, 0, sizeof *t);
    if (s->kind == FGI_META_KIND_TRACKER) {
        json_t *doc = json_deep_copy(ch && ch->tracker ? ch->tracker : s->doc.tracker);
        if (!doc || json_object_set_new(doc, "last_updated", json_string(last_updated))) {
            json_decref(doc);
            return 0;
        }
        fgi_mbuf b = {0};
        fgi_mbuf_json(&b, doc, 0);
        fgi_mbuf_putc(&b, '\n');
        json_decref(doc);
        if (b.oom) {
            free(b.data);
            return 0;
        }
        t->glue = b;
        piece *p = text_piece(t);
        if (!p) return 0;
        *p = (piece){NULL, 0, b.len};
        t->total = b.len;
        return 1;
    }
    const meta_doc *d = &s->doc;
    fgi_meta_entry *neu = ch ? ch->neu : NULL, *old = ch ? ch->old : NULL;
    fgi_mbuf head = {0};
    fgi_mbuf_puts(&head, "{\n  \"last_updated\": ");
    fgi_mbuf_json_string(&head, last_updated);
    fgi_mbuf_puts(&head, ",\n  \"ops\": {");
    if (head.oom) return 0;
    text_glue(t, head.data);
    free(head.data);
    int first = 1, inserted = neu == NULL || old != NULL;
    for (size_t i = 0; i <= d->n && !t->oom; i++) {
        fgi_meta_entry *e = i < d->n ? d->sorted[i] : NULL;
        if (!inserted && (!e || strcmp(neu->op.kernel_id, e->op.kernel_id) < 0)) {
            if (!entry_text(neu)) return 0;
            text_key(t, first, neu->op.kernel_id);
            text_ref(t, neu->text, neu->text_len);
            first = 0;
            inserted = 1;
        }
        if (!e) break;
        if (e == old) e = neu;
        if (!entry_text(e)) return 0;
        text_key(t, first, e->op.kernel_id);
        text_ref(t, e->text, e->text_len);
        first = 0;
    }
    text_glue(t, first ? "},\n" : "\n  },\n");
    text_glue(t, "  \"version\": \"" FGI_META_VERSION "\"\n}\n");
    return !t->oom && !t->glue.oom;
}

/* The whole text in one malloc'd string. */
static char *text_join(const doc_text *t)
{
    char *out = malloc(t->total + 1);
    if (!out) return NULL;
    size_t at = 0;
    for (size_t i = 0; i < t->n; i++) {
        memcpy(out + at, piece_ptr(t, &t->p[i]), t->p[i].len);
        at += t->p[i].len;
    }
    out[at] = '\0';
    return out;
}

/* ================================================================ parsing a document */

/* Parses and validates `data` into *out. FG_ERR_PARSE (unusable: reason in
 * why), FG_ERR_UNSUPPORTED (version), FG_ERR_NO_MEMORY. *migrated gets the
 * number of op_ids assigned by a 0.9 migration, or -1 when none ran. */
static fg_status parse_doc(fgi_meta_kind kind, const char *data, size_t len, meta_doc *out,
                           int *migrated, char *why, size_t whyn)
{
    memset(out, 0, sizeof *out);
    *migrated = -1;
    if (len == 0) {
        snprintf(why, whyn, "the file is empty (truncated)");
        return FG_ERR_PARSE;
    }
    if (len > FGI_META_MAX_FILE_BYTES) {
        snprintf(why, whyn, "%zu bytes, more than the %zu-byte limit", len, FGI_META_MAX_FILE_BYTES);
        return FG_ERR_PARSE;
    }
    json_error_t err;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        snprintf(why, whyn, "line %d, column %d: %s", err.line, err.column, err.text);
        return FG_ERR_PARSE;
    }
    fgi_meta_diag d;
    fgi_meta_diag_init(&d);
    fg_status st = FG_OK;
    int why_set = 0;
    const char *vkey = kind == FGI_META_KIND_TRACKER ? "tracking_version" : "version";
    const char *supported = kind == FGI_META_KIND_TRACKER ? FGI_META_TRACKER_VERSION : FGI_META_VERSION;
    json_t *ver = json_object_get(root, vkey);
    if (!json_is_object(root)) {
        char desc[64];
        fgi_meta_describe(root, desc, sizeof desc);
        snprintf(why, whyn, "expected an object at the top level, got %s", desc);
        st = FG_ERR_PARSE;
        goto done;
    }
    if (!json_is_string(ver)) {
        char desc[160];
        fgi_meta_describe(ver, desc, sizeof desc);
        snprintf(why, whyn, "%s: expected a version string like \"%s\", got %s", vkey, supported,
                 ver ? desc : "nothing (missing required key)");
        st = FG_ERR_PARSE;
        goto done;
    }
    const char *v = json_string_value(ver);
    if (strcmp(v, supported) != 0) {
        int is_old = kind == FGI_META_KIND_METADATA && strcmp(v, FGI_META_OLD_VERSION) == 0;
        if (is_old) {
            *migrated = fgi_meta_migrate_0_9(root, &d);
            if (*migrated < 0) {
                snprintf(why, whyn, "cannot migrate version %s: %s", FGI_META_OLD_VERSION, d.msg);
                why_set = 1;
                st = FG_ERR_PARSE;
                goto done;
            }
        } else {
            unsigned maj = 0, min = 0, smaj = 0, smin = 0;
            int n = 0;
            if (sscanf(v, "%u.%u%n", &maj, &min, &n) != 2 || v[n] != '\0') {
                char desc[160];
                fgi_meta_describe(ver, desc, sizeof desc);
                snprintf(why, whyn, "%s: expected a version like \"%s\", got %s", vkey, supported,
                         desc);
                st = FG_ERR_PARSE;
                goto done;
            }
            sscanf(supported, "%u.%u", &smaj, &smin);
            if (maj > smaj || (maj == smaj && min > smin))
                snprintf(why, whyn,
                         "%s %s is newer than this library supports (%s); upgrade libflaggems "
                         "to read it",
                         vkey, v, supported);
            else
                snprintf(why, whyn, "%s %s is older than any layout this library can migrate (%s)",
                         vkey, v, kind == FGI_META_KIND_TRACKER ? supported : FGI_META_OLD_VERSION);
            st = FG_ERR_UNSUPPORTED;
            goto done;
        }
    }

    if (kind == FGI_META_KIND_TRACKER) {
        if (!fgi_meta_validate_tracker(root, &d, &out->tracker)) st = FG_ERR_PARSE;
        else snprintf(out->last_updated, sizeof out->last_updated, "%s",
                      json_string_value(json_object_get(out->tracker, "last_updated")));
        goto done;
    }

    static const char *const top_keys[] = {"last_updated", "ops", "version"};
    const char *k;
    json_t *val;
    json_object_foreach(root, k, val)
    {
        if (strcmp(k, top_keys[0]) && strcmp(k, top_keys[1]) && strcmp(k, top_keys[2])) {
            size_t m = fgi_meta_diag_push_key(&d, k);
            fgi_meta_diag_add(&d, "unknown key (allowed here: last_updated, ops, version)");
            fgi_meta_diag_pop(&d, m);
        }
    }
    size_t m = fgi_meta_diag_push_key(&d, "last_updated");
    json_t *lu = json_object_get(root, "last_updated");
    if (!lu) fgi_meta_diag_add(&d, "missing required key");
    else fgi_meta_check_time(&d, lu, 0, out->last_updated, sizeof out->last_updated);
    fgi_meta_diag_pop(&d, m);

    m = fgi_meta_diag_push_key(&d, "ops");
    json_t *ops = json_object_get(root, "ops");
    if (!ops) {
        fgi_meta_diag_add(&d, "missing required key");
    } else if (!json_is_object(ops)) {
        char desc[160];
        fgi_meta_describe(ops, desc, sizeof desc);
        fgi_meta_diag_add(&d, "expected an object {kernel_id: entry}, got %s", desc);
    } else if (!doc_reserve(out, json_object_size(ops))) {
        st = FG_ERR_NO_MEMORY;
    } else {
        fgi_meta_build_ctx ctx = {NULL, 0};
        json_object_foreach(ops, k, val)
        {
            size_t mk = fgi_meta_diag_push_key(&d, k);
            const char *bad;
            if (!fgi_meta_valid_kernel_id(k, &bad)) {
                fgi_meta_diag_add(&d, "%s", bad);
            } else {
                int before = d.count;
                fgi_meta_entry *e = fgi_meta_build_entry(k, val, &ctx, &d);
                if (!e && d.count == before) st = FG_ERR_NO_MEMORY;
                if (e) {
                    fgi_meta_entry *dup = doc_find_uuid(out, e->op.op_id);
                    if (dup) {
                        size_t mi = fgi_meta_diag_push_key(&d, "op_id");
                        fgi_meta_diag_add(&d, "\"%s\" is also the op_id of \"%.64s\"", e->op.op_id,
                                          dup->op.kernel_id);
                        fgi_meta_diag_pop(&d, mi);
                        fgi_meta_entry_unref(e);
                    } else {
                        out->sorted[out->n++] = e;
                        *tab_slot(out->uuid_tab, out->tab_cap, e->uuid_hash, e->op.op_id, 1) = e;
                    }
                }
            }
            fgi_meta_diag_pop(&d, mk);
            if (d.count > 50 || st != FG_OK) break; /* enough to report */
        }
    }
    fgi_meta_diag_pop(&d, m);
    if (st == FG_OK && d.count) st = FG_ERR_PARSE;
    if (st == FG_OK) {
        /* jansson keeps the file's order; the index wants kernel-id order. */
        if (out->n > 1) qsort(out->sorted, out->n, sizeof *out->sorted, cmp_entry);
        for (size_t i = 0; i < out->n; i++) {
            fgi_meta_entry *e = out->sorted[i];
            *tab_slot(out->kid_tab, out->tab_cap, e->kid_hash, e->op.kernel_id, 0) = e;
        }
    }
done:
    if (st == FG_ERR_PARSE && d.count && !why_set) {
        if (d.count > 4)
            snprintf(why, whyn, "%s; and %d more problem%s", d.msg, d.count - 4,
                     d.count - 4 > 1 ? "s" : "");
        else
            snprintf(why, whyn, "%s", d.msg);
    } else if (st == FG_ERR_NO_MEMORY) {
        snprintf(why, whyn, "out of memory while loading");
    }
    if (st != FG_OK) doc_free(out);
    json_decref(root);
    return st;
}

/* ================================================================ files */

static void id_from_stat(disk_id *id, const struct stat *st)
{
    id->exists = 1;
    id->dev = st->st_dev;
    id->ino = st->st_ino;
    id->size = st->st_size;
    id->mtime = st->st_mtim;
    id->ctime = st->st_ctim;
}

static void id_set_content(disk_id *id, const char *data, size_t len)
{
    id->hash = hash_bytes(data, len);
    id->hash_lazy = 0;
    id->head_len = len < HEAD_BYTES ? len : HEAD_BYTES;
    memcpy(id->head, data, id->head_len);
}

/* The identity of text just written: its first bytes, and its hash unless
 * `lazy` (then sync_disk compares a changed-looking file with the document
 * itself, which must still be what was written). */
static void id_set_text(disk_id *id, const doc_text *t, int lazy)
{
    hasher x;
    hash_init(&x);
    id->head_len = 0;
    for (size_t i = 0; i < t->n; i++) {
        const char *p = piece_ptr(t, &t->p[i]);
        size_t len = t->p[i].len;
        if (!lazy) hash_update(&x, p, len);
        size_t take = HEAD_BYTES - id->head_len < len ? HEAD_BYTES - id->head_len : len;
        memcpy(id->head + id->head_len, p, take);
        id->head_len += take;
        if (lazy && id->head_len == HEAD_BYTES) break;
    }
    id->hash = lazy ? 0 : hash_final(&x);
    id->hash_lazy = lazy;
}

/* Whether data is exactly text. */
static int text_equals(const doc_text *t, const char *data, size_t len)
{
    if (t->total != len) return 0;
    size_t at = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (memcmp(data + at, piece_ptr(t, &t->p[i]), t->p[i].len) != 0) return 0;
        at += t->p[i].len;
    }
    return 1;
}

static int same_stat(const disk_id *a, const struct stat *st)
{
    return a->exists && a->dev == st->st_dev && a->ino == st->st_ino && a->size == st->st_size &&
           a->mtime.tv_sec == st->st_mtim.tv_sec && a->mtime.tv_nsec == st->st_mtim.tv_nsec &&
           a->ctime.tv_sec == st->st_ctim.tv_sec && a->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* Reads a whole file. FG_ERR_NOT_FOUND, FG_ERR_PARSE (too large: unusable),
 * FG_ERR_IO, FG_ERR_NO_MEMORY; reason in why. */
static fg_status read_file(const char *path, char **data, size_t *len, disk_id *id, char *why,
                           size_t whyn)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whyn, "%s", errno == ENOENT ? "no such file" : strerror(errno));
        return errno == ENOENT ? FG_ERR_NOT_FOUND : FG_ERR_IO;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, whyn, "%s", S_ISREG(st.st_mode) ? strerror(errno) : "not a regular file");
        close(fd);
        return FG_ERR_IO;
    }
    if ((uint64_t)st.st_size > FGI_META_MAX_FILE_BYTES) {
        snprintf(why, whyn, "the file is %lld bytes, more than the %zu-byte limit",
                 (long long)st.st_size, FGI_META_MAX_FILE_BYTES);
        close(fd);
        return FG_ERR_PARSE;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        snprintf(why, whyn, "out of memory reading %lld bytes", (long long)st.st_size);
        return FG_ERR_NO_MEMORY;
    }
    for (;;) {
        if (n == cap) { /* grew since fstat: only possible for a foreign in-place writer */
            if (cap > FGI_META_MAX_FILE_BYTES) {
                free(buf);
                close(fd);
                snprintf(why, whyn, "the file grew past the %zu-byte limit while read",
                         FGI_META_MAX_FILE_BYTES);
                return FG_ERR_PARSE;
            }
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                close(fd);
                snprintf(why, whyn, "out of memory");
                return FG_ERR_NO_MEMORY;
            }
            buf = p;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            snprintf(why, whyn, "read: %s", strerror(errno));
            free(buf);
            close(fd);
            return FG_ERR_IO;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    id_from_stat(id, &st);
    id->size = (off_t)n;
    id_set_content(id, buf, n);
    *data = buf;
    *len = n;
    return FG_OK;
}

static fg_status load_path(fgi_meta_store *s, const char *path, meta_doc *doc, disk_id *id,
                           int *migrated, char *why, size_t whyn)
{
    char *data;
    size_t len;
    memset(id, 0, sizeof *id);
    *migrated = -1;
    fg_status st = read_file(path, &data, &len, id, why, whyn);
    if (st != FG_OK) return st;
    st = parse_doc(s->kind, data, len, doc, migrated, why, whyn);
    free(data);
    return st;
}

/* writev over the pieces, IOV_MAX at a time, resuming after short writes. */
static fg_status write_text(int fd, const doc_text *t)
{
    struct iovec iov[IOV_MAX];
    size_t i = 0, skip = 0; /* next piece, bytes of it already written */
    while (i < t->n) {
        int k = 0;
        for (size_t j = i; j < t->n && k < IOV_MAX; j++, k++) {
            size_t sk = j == i ? skip : 0;
            iov[k].iov_base = (void *)(piece_ptr(t, &t->p[j]) + sk);
            iov[k].iov_len = t->p[j].len - sk;
        }
        ssize_t w = writev(fd, iov, k);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return FG_ERR_IO;
        size_t left = (size_t)w;
        while (i < t->n && left >= t->p[i].len - skip) {
            left -= t->p[i].len - skip;
            skip = 0;
            i++;
        }
        skip += left;
    }
    return FG_OK;
}

static unsigned long temp_counter;

/* Opens the temp file the new version is written to. The inode of the
 * previous backup is recycled when it can be: moved to the temp name and
 * overwritten in place. Replacing the backup would otherwise free a whole
 * document's pages and blocks inside every write (3 ms of a 12 ms update
 * at 1 000 kernels on ext4), and overwriting allocated blocks is cheaper
 * than allocating new ones. Only a plain file with no other link is
 * recycled (another name of it must not change); the backup is briefly
 * missing, which is harmless: open uses it only when <file> is unusable,
 * and the commit puts the current <file> there next. A reader that bypasses
 * the lock and holds a version open across two more writes sees it change
 * (documented in architecture.md). */
static int open_temp(fgi_meta_store *s, const char *tmp, int have_cur, mode_t mode, int *recycled)
{
    *recycled = 0;
    if (have_cur && rename(s->bak_path, tmp) == 0) {
        int fd = open(tmp, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1) {
            *recycled = 1;
            return fd;
        }
        if (fd >= 0) close(fd);
        unlink(tmp);
    }
    return open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
}

/* The atomic, durable replacement of the file by `text` (caller holds the
 * lock). On success *id describes the new file. */
static fg_status commit_text(fgi_meta_store *s, const doc_text *text, disk_id *id)
{
    int64_t t0 = fgi_now_ns();
    unsigned long k = __atomic_add_fetch(&temp_counter, 1, __ATOMIC_RELAXED);
    char suffix[64];
    snprintf(suffix, sizeof suffix, ".tmp.%ld.%lu", (long)getpid(), k);
    char *tmp = concat(s->dir, "/.", s->base_name);
    char *tmp2 = tmp ? concat(tmp, suffix, "") : NULL;
    snprintf(suffix, sizeof suffix, ".baktmp.%ld.%lu", (long)getpid(), k);
    char *baktmp = tmp ? concat(tmp, suffix, "") : NULL;
    free(tmp);
    tmp = tmp2;
    if (!tmp || !baktmp) {
        free(tmp);
        free(baktmp);
        return FG_ERROR(FG_ERR_NO_MEMORY, "temp file name");
    }
    fg_status st = FG_OK;
    int dfd = -1, recycled;
    mode_t mode = 0644;
    struct stat cur;
    int have_cur = stat(s->path, &cur) == 0;
    if (have_cur) mode = cur.st_mode & 0777;
    int fd = open_temp(s, tmp, have_cur, mode, &recycled);
    if (fd < 0) {
        st = FG_ERROR(FG_ERR_IO, "cannot create temp file '%s': %s", tmp, strerror(errno));
        goto out;
    }
    if (have_cur) (void)fchmod(fd, mode); /* umask may have cut it */
    int64_t t1 = fgi_now_ns();
    if (write_text(fd, text) != FG_OK || (recycled && ftruncate(fd, (off_t)text->total) < 0)) {
        st = FG_ERROR(FG_ERR_IO, "writing '%s': %s", tmp, strerror(errno));
        goto fail_tmp;
    }
    int64_t t2 = fgi_now_ns();
    /* fdatasync: the data and the size (what reading it back needs); the
     * times need not survive a power cut. */
    if (fdatasync(fd) < 0) {
        st = FG_ERROR(FG_ERR_IO, "fdatasync '%s': %s", tmp, strerror(errno));
        goto fail_tmp;
    }
    int64_t t3 = fgi_now_ns();
    close(fd);
    fd = -1;
    /* Keep the current (good: it was validated under this lock) version as
     * .bak. A hard link keeps <file> in place the whole time. */
    if (have_cur) {
        if (link(s->path, baktmp) == 0) {
            if (rename(baktmp, s->bak_path) < 0) {
                st = FG_ERROR(FG_ERR_IO, "rename to '%s': %s", s->bak_path, strerror(errno));
                unlink(baktmp);
                goto fail_tmp;
            }
        } else if (errno == EPERM || errno == EXDEV || errno == ENOTSUP || errno == EMLINK) {
            /* No hard links here: move it. Should we die before the next
             * rename, <file> is missing and open restores it from .bak. */
            if (rename(s->path, s->bak_path) < 0) {
                st = FG_ERROR(FG_ERR_IO, "rename to '%s': %s", s->bak_path, strerror(errno));
                goto fail_tmp;
            }
        } else {
            st = FG_ERROR(FG_ERR_IO, "link '%s' to '%s': %s", s->path, baktmp, strerror(errno));
            goto fail_tmp;
        }
    }
    if (rename(tmp, s->path) < 0) {
        st = FG_ERROR(FG_ERR_IO, "rename '%s' to '%s': %s", tmp, s->path, strerror(errno));
        goto fail_tmp;
    }
    int64_t t4 = fgi_now_ns();
    dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) < 0) {
        /* The new file is in place and complete; only its durability across
         * a power cut is unknown. Report it, but the change did happen. */
        st = FG_ERROR(FG_ERR_IO, "fsync of folder '%s': %s", s->dir, strerror(errno));
    }
    int64_t t5 = fgi_now_ns();
    struct stat nst;
    memset(id, 0, sizeof *id);
    if (stat(s->path, &nst) == 0) id_from_stat(id, &nst);
    /* Hashing a whole document costs ~0.3 ms per write at 1 000 kernels. A
     * handle that writes every change at once still holds exactly this
     * document whenever it next looks at the file, so it can compare with
     * that instead, only when the file seems to have changed. A handle with
     * MANUAL_SAVE will hold unsaved changes then: it hashes now. */
    id_set_text(id, text, !(s->flags & FGI_META_MANUAL_SAVE));
    s->stats.write_ns = t2 - t1;
    s->stats.fsync_ns = (t3 - t2) + (t5 - t4);
    s->stats.total_ns = t5 - t0;
    s->stats.bytes = text->total;
    goto out;
fail_tmp:
    if (fd >= 0) close(fd);
    unlink(tmp);
out:
    if (dfd >= 0) close(dfd);
    free(tmp);
    free(baktmp);
    return st;
}

static fg_status lock_file(fgi_meta_store *s, int op)
{
    if (s->lock_fd < 0) return FG_OK;
    while (flock(s->lock_fd, op) < 0) {
        if (errno == EINTR) continue;
        return FG_ERROR(FG_ERR_IO, "flock '%s': %s", s->lock_path, strerror(errno));
    }
    return FG_OK;
}

static void unlock_file(fgi_meta_store *s)
{
    if (s->lock_fd >= 0) flock(s->lock_fd, LOCK_UN);
}

/* Removes temp files of writers that died (caller holds the exclusive lock,
 * so no live writer has one). */
static void remove_stale_temps(fgi_meta_store *s)
{
    DIR *dir = opendir(s->dir);
    if (!dir) return;
    char *p1 = concat(".", s->base_name, ".tmp.");
    char *p2 = concat(".", s->base_name, ".baktmp.");
    struct dirent *de;
    while (p1 && p2 && (de = readdir(dir)) != NULL) {
        if (strncmp(de->d_name, p1, strlen(p1)) == 0 || strncmp(de->d_name, p2, strlen(p2)) == 0)
            unlinkat(dirfd(dir), de->d_name, 0);
    }
    free(p1);
    free(p2);
    closedir(dir);
}

/* Brings the handle up to date with the file (caller holds wmu and the
 * lock). Unchanged file: nothing. Changed: FG_ERR_CONFLICT if anything is
 * unsaved, else the file is read into memory. */
static fg_status sync_disk(fgi_meta_store *s)
{
    struct stat st;
    if (stat(s->path, &st) < 0) {
        if (errno != ENOENT) return FG_ERROR(FG_ERR_IO, "stat '%s': %s", s->path, strerror(errno));
        if (!s->base.exists) return FG_OK;
        return FG_ERROR(s->unsaved ? FG_ERR_CONFLICT : FG_ERR_NOT_FOUND,
                        "'%s' was removed since this handle read it; reopen the store", s->path);
    }
    /* The fast path: same inode, size and times, and the same first bytes.
     * Our writers make last_updated strictly increasing and it comes first
     * in the file, so two versions never share their first bytes; a tracker
     * (last_updated not first) is small and always compared in full. */
    if (same_stat(&s->base, &st) && s->kind == FGI_META_KIND_METADATA) {
        char head[HEAD_BYTES];
        int fd = open(s->path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? pread(fd, head, s->base.head_len, 0) : -1;
        if (fd >= 0) close(fd);
        if (n == (ssize_t)s->base.head_len && memcmp(head, s->base.head, (size_t)n) == 0)
            return FG_OK;
    }
    char *data;
    size_t len;
    disk_id id;
    char why[1024];
    fg_status rs = read_file(s->path, &data, &len, &id, why, sizeof why);
    if (rs != FG_OK) return FG_ERROR(rs, "re-reading '%s': %s", s->path, why);
    int same = 0;
    if (s->base.exists && (off_t)len == s->base.size) {
        if (!s->base.hash_lazy) {
            same = id.hash == s->base.hash;
        } else if (!s->unsaved) {
            doc_text t;
            same = serialize(s, NULL, s->doc.last_updated, &t) && text_equals(&t, data, len);
            text_free(&t);
        }
    }
    if (same) {
        s->base = id; /* touched, not changed */
        free(data);
        return FG_OK;
    }
    if (s->unsaved) {
        free(data);
        return FG_ERROR(FG_ERR_CONFLICT,
                        "'%s' changed on disk since this handle read it, and this handle has %zu "
                        "unsaved change(s) based on the older version; call fgi_meta_reload and "
                        "redo them",
                        s->path, s->unsaved);
    }
    meta_doc doc;
    int migrated;
    rs = parse_doc(s->kind, data, len, &doc, &migrated, why, sizeof why);
    free(data);
    if (rs != FG_OK)
        return FG_ERROR(rs, "'%s' changed on disk and cannot be used: %s; reopen the store to "
                            "recover from the backup", s->path, why);
    if (migrated >= 0) {
        doc_free(&doc);
        return FG_ERROR(FG_ERR_CONFLICT, "'%s' was replaced by a version %s file; reopen the store "
                                         "to migrate it", s->path, FGI_META_OLD_VERSION);
    }
    pthread_rwlock_wrlock(&s->rw);
    meta_doc old = s->doc;
    s->doc = doc;
    pthread_rwlock_unlock(&s->rw);
    doc_free(&old);
    s->base = id;
    return FG_OK;
}

/* ================================================================ open, close */

static void store_free(fgi_meta_store *s)
{
    if (!s) return;
    doc_free(&s->doc);
    if (s->lock_fd >= 0) close(s->lock_fd);
    pthread_mutex_destroy(&s->wmu);
    pthread_rwlock_destroy(&s->rw);
    free(s->path);
    free(s->dir);
    free(s->base_name);
    free(s->lock_path);
    free(s->bak_path);
    free(s->corrupt_path);
    free(s->name);
    free(s->repo_root);
    free(s);
}

static fgi_meta_store *store_new(const fgi_meta_options *opts)
{
    fgi_meta_store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->kind = opts ? opts->kind : FGI_META_KIND_METADATA;
    s->flags = opts ? opts->flags : 0;
    s->lock_fd = -1;
    pthread_mutex_init(&s->wmu, NULL);
    pthread_rwlock_init(&s->rw, NULL);
    return s;
}

static char *find_repo_root(const char *dir)
{
    char *cur = realpath(dir, NULL);
    while (cur) {
        char *git = concat(cur, "/", ".git");
        struct stat st;
        int found = git && stat(git, &st) == 0;
        free(git);
        if (found) return cur;
        char *slash = strrchr(cur, '/');
        if (!slash || slash == cur) break;
        *slash = '\0';
    }
    free(cur);
    return NULL;
}

static fg_status empty_doc(fgi_meta_store *s)
{
    now_text(s->doc.last_updated, sizeof s->doc.last_updated);
    if (s->kind == FGI_META_KIND_TRACKER) {
        json_t *t = json_object();
        if (!t) return FG_ERROR(FG_ERR_NO_MEMORY, "empty tracker");
        json_object_set_new(t, "tracking_version", json_string(FGI_META_TRACKER_VERSION));
        json_object_set_new(t, "last_updated", json_string(s->doc.last_updated));
        json_object_set_new(t, "graduation_candidates", json_array());
        json_object_set_new(t, "recently_graduated", json_array());
        s->doc.tracker = t;
    }
    return FG_OK;
}

static int writable(const fgi_meta_store *s)
{
    return !s->in_memory && !(s->flags & FGI_META_READONLY);
}

/* Writes the in-memory document (after creation, recovery or migration). */
static fg_status write_doc(fgi_meta_store *s)
{
    char stamp[48];
    doc_text b;
    next_stamp(s->doc.last_updated, stamp, sizeof stamp);
    if (!serialize(s, NULL, stamp, &b)) {
        text_free(&b);
        return FG_ERROR(FG_ERR_NO_MEMORY, "serializing '%s'", s->path);
    }
    disk_id id;
    fg_status st = commit_text(s, &b, &id);
    text_free(&b);
    if (st != FG_OK) return st;
    snprintf(s->doc.last_updated, sizeof s->doc.last_updated, "%s", stamp);
    if (s->doc.tracker) json_object_set_new(s->doc.tracker, "last_updated", json_string(stamp));
    s->base = id;
    return FG_OK;
}

static fg_status open_locked(fgi_meta_store *s)
{
    char why[1024], why_bak[1024];
    meta_doc doc;
    disk_id id;
    int migrated;
    int rw = writable(s);
    if (rw) remove_stale_temps(s);
    fg_status st = load_path(s, s->path, &doc, &id, &migrated, why, sizeof why);
    if (st == FG_OK) {
        s->doc = doc;
        s->base = id;
        if (migrated >= 0) {
            if (rw) FG_FORWARD(write_doc(s), "writing the migrated document");
            snprintf(s->report, sizeof s->report,
                     "migrated: %s had version %s; upgraded to %s (%zu ops, %d op_id(s) assigned)%s",
                     s->name, FGI_META_OLD_VERSION, FGI_META_VERSION, s->doc.n, migrated,
                     rw ? "; the version 0.9 file is kept as the .bak"
                        : "; read-only: the file was not rewritten");
            FGI_LOG(FG_LOG_INFO, "%s", s->report);
        }
        return FG_OK;
    }
    if (st == FG_ERR_UNSUPPORTED) return FG_ERROR(st, "%s: %s", s->path, why);
    if (st == FG_ERR_IO || st == FG_ERR_NO_MEMORY) return FG_ERROR(st, "%s: %s", s->path, why);
    int missing = st == FG_ERR_NOT_FOUND;
    struct stat bst;
    int bak_exists = stat(s->bak_path, &bst) == 0;
    if (missing && !bak_exists) {
        if (!(s->flags & FGI_META_CREATE))
            return FG_ERROR(FG_ERR_NOT_FOUND, "%s: no such file (FGI_META_CREATE creates it)",
                            s->path);
        FG_FORWARD(empty_doc(s), "creating '%s'", s->path);
        if (rw) FG_FORWARD(write_doc(s), "creating '%s'", s->path);
        snprintf(s->report, sizeof s->report, "created: %s did not exist; %s an empty document",
                 s->name, rw ? "wrote" : "using (read-only, not written)");
        return FG_OK;
    }
    if (missing) snprintf(why, sizeof why, "the file is missing while its backup exists");
    if (s->flags & FGI_META_NO_RECOVER)
        return FG_ERROR(FG_ERR_PARSE, "%s: %s (recovery from the backup is off)", s->path, why);

    /* Recovery from the backup. */
    disk_id bid;
    fg_status bs = load_path(s, s->bak_path, &doc, &bid, &migrated, why_bak, sizeof why_bak);
    if (bs != FG_OK) {
        if (bs == FG_ERR_NOT_FOUND) snprintf(why_bak, sizeof why_bak, "no backup exists");
        return FG_ERROR(missing ? FG_ERR_NOT_FOUND : FG_ERR_PARSE,
                        "%s: %.300s; backup %s: %.300s; nothing was changed", s->path, why,
                        s->bak_path, why_bak);
    }
    s->doc = doc;
    char bak_stamp[48];
    snprintf(bak_stamp, sizeof bak_stamp, "%s", s->doc.last_updated);
    if (rw) {
        /* Keep the bad file for inspection, then write the good version. The
         * order is safe: a crash in between leaves <file> missing and the
         * .bak intact, which the next open repairs the same way. */
        if (!missing && rename(s->path, s->corrupt_path) < 0)
            return FG_ERROR(FG_ERR_IO, "moving '%s' aside: %s", s->path, strerror(errno));
        FG_FORWARD(write_doc(s), "restoring '%s' from its backup", s->path);
    } else {
        s->base.exists = 0;
    }
    char what[96];
    if (s->kind == FGI_META_KIND_TRACKER)
        snprintf(what, sizeof what, "%zu candidate(s)",
                 json_array_size(json_object_get(s->doc.tracker, "graduation_candidates")));
    else
        snprintf(what, sizeof what, "%zu op(s)", s->doc.n);
    snprintf(s->report, sizeof s->report,
             "recovered: %s was unusable (%.400s); restored it from %s.bak (last_updated %s, %s%s)"
             "%s%s",
             s->name, why, s->name, bak_stamp, what, migrated >= 0 ? ", migrated from 0.9" : "",
             !rw ? "; read-only: nothing was written"
             : missing ? ""
                       : "; the unusable file was moved to ",
             rw && !missing ? s->corrupt_path : "");
    FGI_LOG(FG_LOG_WARN, "%s", s->report);
    return FG_OK;
}

fg_status fgi_meta_open(const char *path, const fgi_meta_options *opts, fgi_meta_store **out)
{
    fgi_error_clear();
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!path || !*path, FG_ERR_NULL, "path is NULL or empty");
    FG_RETURN_IF(opts && (unsigned)opts->kind > FGI_META_KIND_TRACKER, FG_ERR_INVALID_ARG,
                 "unknown document kind %d", (int)opts->kind);
    fgi_meta_store *s = store_new(opts);
    FG_RETURN_IF(!s, FG_ERR_NO_MEMORY, "store");
    s->path = xstrdup(path);
    const char *slash = strrchr(path, '/');
    s->dir = slash ? (slash == path ? xstrdup("/") : strndup(path, (size_t)(slash - path)))
                   : xstrdup(".");
    s->base_name = xstrdup(slash ? slash + 1 : path);
    s->lock_path = concat(path, ".lock", "");
    s->bak_path = concat(path, ".bak", "");
    s->corrupt_path = concat(path, ".corrupt", "");
    s->name = xstrdup(s->base_name ? s->base_name : path);
    if (!s->path || !s->dir || !s->base_name || !s->lock_path || !s->bak_path ||
        !s->corrupt_path || !s->name) {
        store_free(s);
        return FG_ERROR(FG_ERR_NO_MEMORY, "store paths");
    }
    if (!s->base_name[0]) {
        store_free(s);
        return FG_ERROR(FG_ERR_INVALID_ARG, "'%s' names a folder, not a file", path);
    }
    if (opts && opts->repo_root) {
        s->repo_root = realpath(opts->repo_root, NULL);
        if (!s->repo_root) {
            fg_status e = FG_ERROR(FG_ERR_INVALID_ARG, "repository root '%s': %s", opts->repo_root,
                                   strerror(errno));
            store_free(s);
            return e;
        }
    } else {
        s->repo_root = find_repo_root(s->dir);
    }
    int rw = writable(s);
    s->lock_fd = open(s->lock_path, rw ? (O_RDWR | O_CREAT | O_CLOEXEC) : (O_RDONLY | O_CLOEXEC),
                      0644);
    if (s->lock_fd < 0 && rw) {
        fg_status e = FG_ERROR(errno == ENOENT ? FG_ERR_NOT_FOUND : FG_ERR_IO,
                               "cannot open lock file '%s': %s", s->lock_path, strerror(errno));
        store_free(s);
        return e;
    }
    fg_status st = lock_file(s, rw ? LOCK_EX : LOCK_SH);
    if (st == FG_OK) {
        st = open_locked(s);
        unlock_file(s);
    }
    if (st != FG_OK) {
        fgi_error_push(st, "fgi_meta_open");
        store_free(s);
        return st;
    }
    *out = s;
    return FG_OK;
}

fg_status fgi_meta_open_buffer(const char *data, size_t len, const fgi_meta_options *opts,
                               const char *name, fgi_meta_store **out)
{
    fgi_error_clear();
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!data && len, FG_ERR_NULL, "data is NULL");
    FG_RETURN_IF(opts && (unsigned)opts->kind > FGI_META_KIND_TRACKER, FG_ERR_INVALID_ARG,
                 "unknown document kind %d", (int)opts->kind);
    fgi_meta_store *s = store_new(opts);
    FG_RETURN_IF(!s, FG_ERR_NO_MEMORY, "store");
    s->in_memory = 1;
    s->flags |= FGI_META_READONLY;
    s->name = xstrdup(name ? name : "<buffer>");
    if (!s->name) {
        store_free(s);
        return FG_ERROR(FG_ERR_NO_MEMORY, "store");
    }
    char why[1024];
    int migrated;
    fg_status st = parse_doc(s->kind, data ? data : "", len, &s->doc, &migrated, why, sizeof why);
    if (st != FG_OK) {
        st = FG_ERROR(st, "%s: %s", s->name, why);
        store_free(s);
        return st;
    }
    if (migrated >= 0)
        snprintf(s->report, sizeof s->report,
                 "migrated: %s had version %s; upgraded to %s in memory (%d op_id(s) assigned)",
                 s->name, FGI_META_OLD_VERSION, FGI_META_VERSION, migrated);
    *out = s;
    return FG_OK;
}

const char *fgi_meta_open_report(const fgi_meta_store *s) { return s ? s->report : ""; }

void fgi_meta_close(fgi_meta_store *s) { store_free(s); }

size_t fgi_meta_unsaved(const fgi_meta_store *s)
{
    if (!s) return 0;
    return __atomic_load_n(&s->unsaved, __ATOMIC_RELAXED);
}

size_t fgi_meta_count(const fgi_meta_store *cs)
{
    fgi_meta_store *s = (fgi_meta_store *)cs;
    if (!s) return 0;
    pthread_rwlock_rdlock(&s->rw);
    size_t n = s->doc.n;
    pthread_rwlock_unlock(&s->rw);
    return n;
}

fg_status fgi_meta_last_updated(const fgi_meta_store *cs, char *buf, size_t size)
{
    fgi_error_clear();
    fgi_meta_store *s = (fgi_meta_store *)cs;
    FG_RETURN_IF(!s || !buf, FG_ERR_NULL, "store or buf is NULL");
    FG_RETURN_IF(size < 40, FG_ERR_INVALID_ARG, "buf needs 40 bytes, got %zu", size);
    pthread_rwlock_rdlock(&s->rw);
    snprintf(buf, size, "%s", s->doc.last_updated);
    pthread_rwlock_unlock(&s->rw);
    return FG_OK;
}

fg_status fgi_meta_get_write_stats(const fgi_meta_store *s, fgi_meta_write_stats *out)
{
    fgi_error_clear();
    FG_RETURN_IF(!s || !out, FG_ERR_NULL, "store or out is NULL");
    fgi_meta_store *w = (fgi_meta_store *)s; /* the mutex, not the data, changes */
    pthread_mutex_lock(&w->wmu);
    *out = s->stats;
    pthread_mutex_unlock(&w->wmu);
    return FG_OK;
}

/* ================================================================ save, reload */

fg_status fgi_meta_save(fgi_meta_store *s)
{
    fgi_error_clear();
    FG_RETURN_IF(!s, FG_ERR_NULL, "store is NULL");
    pthread_mutex_lock(&s->wmu);
    fg_status st = FG_OK;
    if (s->unsaved == 0) goto out;
    if (!writable(s)) {
        st = FG_ERROR(FG_ERR_UNSUPPORTED, "%s is read-only", s->name);
        goto out;
    }
    st = lock_file(s, LOCK_EX);
    if (st != FG_OK) goto out;
    st = sync_disk(s); /* unsaved > 0: a changed file is a conflict */
    if (st == FG_OK) {
        char stamp[48];
        doc_text b;
        next_stamp(s->doc.last_updated, stamp, sizeof stamp);
        if (!serialize(s, NULL, stamp, &b)) {
            st = FG_ERROR(FG_ERR_NO_MEMORY, "serializing '%s'", s->path);
        } else {
            disk_id id;
            st = commit_text(s, &b, &id);
            if (st == FG_OK) {
                pthread_rwlock_wrlock(&s->rw);
                snprintf(s->doc.last_updated, sizeof s->doc.last_updated, "%s", stamp);
                if (s->doc.tracker)
                    json_object_set_new(s->doc.tracker, "last_updated", json_string(stamp));
                pthread_rwlock_unlock(&s->rw);
                s->base = id;
                __atomic_store_n(&s->unsaved, 0, __ATOMIC_RELAXED);
            }
        }
        text_free(&b);
    }
    unlock_file(s);
out:
    pthread_mutex_unlock(&s->wmu);
    if (st != FG_OK) fgi_error_push(st, "fgi_meta_save");
    return st;
}

fg_status fgi_meta_reload(fgi_meta_store *s)
{
    fgi_error_clear();
    FG_RETURN_IF(!s, FG_ERR_NULL, "store is NULL");
    FG_RETURN_IF(s->in_memory, FG_ERR_UNSUPPORTED, "%s is an in-memory document", s->name);
    pthread_mutex_lock(&s->wmu);
    fg_status st = lock_file(s, LOCK_SH);
    if (st == FG_OK) {
        char why[1024];
        meta_doc doc;
        disk_id id;
        int migrated;
        st = load_path(s, s->path, &doc, &id, &migrated, why, sizeof why);
        unlock_file(s);
        if (st == FG_OK && migrated >= 0) {
            doc_free(&doc);
            st = FG_ERROR(FG_ERR_CONFLICT, "%s is now a version %s file; reopen to migrate it",
                          s->path, FGI_META_OLD_VERSION);
        } else if (st != FG_OK) {
            st = FG_ERROR(st, "%s: %s%s", s->path, why,
                          st == FG_ERR_PARSE ? "; reopen the store to recover from the backup" : "");
        } else {
            pthread_rwlock_wrlock(&s->rw);
            meta_doc old = s->doc;
            s->doc = doc;
            pthread_rwlock_unlock(&s->rw);
            doc_free(&old);
            s->base = id;
            __atomic_store_n(&s->unsaved, 0, __ATOMIC_RELAXED);
        }
    }
    pthread_mutex_unlock(&s->wmu);
    if (st != FG_OK) fgi_error_push(st, "fgi_meta_reload");
    return st;
}

/* ================================================================ transactions */

typedef fg_status (*build_fn)(fgi_meta_store *s, void *arg, change *ch);

static void publish(fgi_meta_store *s, change *ch, const char *stamp)
{
    pthread_rwlock_wrlock(&s->rw);
    fgi_meta_entry *old = ch->old;
    if (ch->neu) {
        if (old) doc_replace(&s->doc, old, ch->neu);
        else doc_insert(&s->doc, ch->neu);
        ch->neu = NULL; /* the doc owns it now */
    }
    json_t *old_tracker = NULL;
    if (ch->tracker) {
        old_tracker = s->doc.tracker;
        s->doc.tracker = ch->tracker;
        ch->tracker = NULL;
    }
    if (stamp) {
        snprintf(s->doc.last_updated, sizeof s->doc.last_updated, "%s", stamp);
        if (s->doc.tracker) json_object_set_new(s->doc.tracker, "last_updated", json_string(stamp));
    }
    pthread_rwlock_unlock(&s->rw);
    /* Readers may still hold the old entry; it goes when they release it. */
    if (old) fgi_meta_entry_unref(old);
    json_decref(old_tracker);
}

static fg_status transact(fgi_meta_store *s, build_fn fn, void *arg)
{
    if (!writable(s)) return FG_ERROR(FG_ERR_UNSUPPORTED, "%s was opened read-only", s->name);
    pthread_mutex_lock(&s->wmu);
    change ch = {0};
    fg_status st = lock_file(s, LOCK_EX);
    if (st != FG_OK) goto out_unlocked;
    st = sync_disk(s);
    if (st != FG_OK) goto out;
    st = fn(s, arg, &ch);
    if (st != FG_OK) goto out;
    if (ch.neu && !ch.old && !doc_reserve(&s->doc, 1)) {
        st = FG_ERROR(FG_ERR_NO_MEMORY, "index");
        goto out;
    }
    if (s->flags & FGI_META_MANUAL_SAVE) {
        publish(s, &ch, NULL);
        __atomic_add_fetch(&s->unsaved, 1, __ATOMIC_RELAXED);
        goto out;
    }
    char stamp[48];
    doc_text b;
    int64_t t0 = fgi_now_ns();
    next_stamp(s->doc.last_updated, stamp, sizeof stamp);
    if (!serialize(s, &ch, stamp, &b)) {
        text_free(&b);
        st = FG_ERROR(FG_ERR_NO_MEMORY, "serializing '%s'", s->path);
        goto out;
    }
    int64_t t1 = fgi_now_ns();
    disk_id id;
    st = commit_text(s, &b, &id);
    text_free(&b);
    s->stats.serialize_ns = t1 - t0;
    if (st == FG_OK) {
        publish(s, &ch, stamp);
        s->base = id;
    }
out:
    unlock_file(s);
out_unlocked:
    pthread_mutex_unlock(&s->wmu);
    if (ch.neu) fgi_meta_entry_unref(ch.neu);
    json_decref(ch.tracker);
    return st;
}

static fg_status need_kind(const fgi_meta_store *s, fgi_meta_kind kind, const char *fn)
{
    if (s->kind == kind) return FG_OK;
    return FG_ERROR(FG_ERR_INVALID_ARG, "%s needs a %s store; %s holds %s", fn,
                    kind == FGI_META_KIND_TRACKER ? "tracker.json" : "_metadata.json", s->name,
                    s->kind == FGI_META_KIND_TRACKER ? "tracker.json" : "_metadata.json");
}

/* Parses caller JSON text. FG_ERR_PARSE with line and column. */
static fg_status parse_input(const char *text, const char *what, json_t **out)
{
    *out = NULL;
    size_t n = strlen(text);
    FG_RETURN_IF(n > MAX_INPUT_BYTES, FG_ERR_INVALID_ARG, "%s is %zu bytes, more than the %zu-byte "
                 "limit", what, n, MAX_INPUT_BYTES);
    json_error_t err;
    json_t *v = json_loadb(text, n, JSON_REJECT_DUPLICATES, &err);
    FG_RETURN_IF(!v, FG_ERR_PARSE, "%s: line %d, column %d: %s", what, err.line, err.column,
                 err.text);
    if (!json_is_object(v)) {
        char desc[160];
        fgi_meta_describe(v, desc, sizeof desc);
        json_decref(v);
        return FG_ERROR(FG_ERR_INVALID_ARG, "%s: expected a JSON object, got %s", what, desc);
    }
    *out = v;
    return FG_OK;
}

static int is_freeform(const char *key)
{
    return strcmp(key, "generation_config") == 0 || strcmp(key, "shape_constraints") == 0 ||
           strcmp(key, "coverage") == 0;
}

/* Objects merge key by key; free-form objects, arrays and scalars replace. */
static int merge(json_t *dst, const json_t *patch)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)patch, k, v)
    {
        json_t *cur = json_object_get(dst, k);
        if (json_is_object(v) && json_is_object(cur) && !is_freeform(k)) {
            if (!merge(cur, v)) return 0;
        } else if (json_object_set_new(dst, k, json_deep_copy(v))) {
            return 0;
        }
    }
    return 1;
}

static json_t *entry_json(const fgi_meta_op *op)
{
    fgi_mbuf b = {0};
    fgi_meta_write_entry(&b, op, 0);
    json_t *j = b.oom ? NULL : json_loadb(b.data, b.len, 0, NULL);
    free(b.data);
    return j;
}

/* Builds an entry for ops.<kid> from j; FG_ERR_INVALID_ARG with the paths. */
static fg_status build_checked(fgi_meta_store *s, const char *kid, const json_t *j, int symlinks,
                               fgi_meta_entry **out)
{
    fgi_meta_diag d;
    fgi_meta_diag_init(&d);
    fgi_meta_diag_push_key(&d, "ops");
    fgi_meta_diag_push_key(&d, kid);
    fgi_meta_build_ctx ctx = {s->repo_root, symlinks && s->repo_root};
    *out = fgi_meta_build_entry(kid, j, &ctx, &d);
    if (*out) return FG_OK;
    FG_RETURN_IF(d.count == 0, FG_ERR_NO_MEMORY, "building ops.%s", kid);
    if (d.count > 4)
        return FG_ERROR(FG_ERR_INVALID_ARG, "%s; and %d more problem(s)", d.msg, d.count - 4);
    return FG_ERROR(FG_ERR_INVALID_ARG, "%s", d.msg);
}

/* ---------------------------------------------------------------- register */

typedef struct reg_arg {
    const char *kid;
    json_t *user;
} reg_arg;

static json_t *default_entry(void)
{
    char since[32];
    snprintf(since, sizeof since, "v%s", fg_version());
    json_error_t err;
    json_t *j = json_pack_ex(
        &err, 0,
        "{s:s, s:{s:{}, s:n, s:n, s:n, s:n}, s:{s:{s:b, s:i, s:n, s:{}}, s:{s:[], s:n}},"
        " s:{s:[], s:[], s:{}}, s:{s:b, s:s, s:{s:b, s:b, s:b, s:b, s:b, s:b}, s:[]},"
        " s:{s:i, s:n}}",
        "status", "EXPERIMENTAL",
        "generation_info", "generation_config", "generation_date", "generator_tool",
        "generator_version", "source_template",
        "validation_info", "accuracy_tests", "passed", 0, "test_cases", 0, "last_run", "coverage",
        "performance_tests", "baselines", "last_run",
        "hardware_support", "tested_devices", "optimal_devices", "shape_constraints",
        "graduation_tracking", "eligible", 0, "in_experimental_since", since, "checklist",
        "stable_period_met", 0, "accuracy_passed", 0, "performance_passed", 0,
        "multi_hardware_validated", 0, "code_review_approved", 0, "documentation_complete", 0,
        "blocking_issues",
        "code_location", "line_start", 1, "commit_hash");
    return j;
}

static fg_status build_register(fgi_meta_store *s, void *varg, change *ch)
{
    reg_arg *a = varg;
    FG_RETURN_IF(doc_find_kid(&s->doc, a->kid), FG_ERR_INVALID_ARG,
                 "kernel '%s' is already registered (use update_op to change it)", a->kid);
    json_t *j = default_entry();
    FG_RETURN_IF(!j, FG_ERR_NO_MEMORY, "default entry");
    if (!merge(j, a->user)) {
        json_decref(j);
        return FG_ERROR(FG_ERR_NO_MEMORY, "merging entry_json");
    }
    json_t *cl = json_object_get(j, "code_location");
    if (json_is_object(cl) && !json_object_get(json_object_get(a->user, "code_location"), "line_end"))
        json_object_set(cl, "line_end", json_object_get(cl, "line_start"));
    if (!json_object_get(a->user, "op_id")) {
        char id[40];
        fg_status st = fgi_meta_uuid_v4(id, sizeof id);
        if (st != FG_OK) {
            json_decref(j);
            return st;
        }
        json_object_set_new(j, "op_id", json_string(id));
    }
    json_t *status = json_object_get(j, "status");
    if (json_is_string(status) && strcmp(json_string_value(status), "EXPERIMENTAL") != 0) {
        fg_status e = FG_ERROR(FG_ERR_INVALID_ARG,
                               "ops.%s.status: a kernel is registered as EXPERIMENTAL, got \"%.40s\" "
                               "(later statuses are reached by update_op)",
                               a->kid, json_string_value(status));
        json_decref(j);
        return e;
    }
    fgi_meta_entry *e;
    fg_status st = build_checked(s, a->kid, j, 1, &e);
    json_decref(j);
    if (st != FG_OK) return st;
    fgi_meta_entry *dup = doc_find_uuid(&s->doc, e->op.op_id);
    if (dup) {
        st = FG_ERROR(FG_ERR_INVALID_ARG, "ops.%s.op_id: \"%s\" is already the op_id of '%s'",
                      a->kid, e->op.op_id, dup->op.kernel_id);
        fgi_meta_entry_unref(e);
        return st;
    }
    ch->neu = e;
    return FG_OK;
}

fg_status fgi_meta_register_op(fgi_meta_store *s, const char *kernel_id, const char *entry_json)
{
    fgi_error_clear();
    FG_RETURN_IF(!s || !kernel_id || !entry_json, FG_ERR_NULL,
                 "store, kernel_id or entry_json is NULL");
    fg_status st = need_kind(s, FGI_META_KIND_METADATA, "register_op");
    const char *why;
    if (st == FG_OK && !fgi_meta_valid_kernel_id(kernel_id, &why))
        st = FG_ERROR(FG_ERR_INVALID_ARG, "kernel id '%.140s': %s", kernel_id, why);
    reg_arg a = {kernel_id, NULL};
    if (st == FG_OK) st = parse_input(entry_json, "entry_json", &a.user);
    if (st == FG_OK) st = transact(s, build_register, &a);
    json_decref(a.user);
    if (st != FG_OK) fgi_error_push(st, "fgi_meta_register_op(%.140s)", kernel_id);
    return st;
}

/* ---------------------------------------------------------------- update */

typedef struct upd_arg {
    const char *key;
    json_t *patch;
    const fgi_meta_validation_result *result;
    const char *if_last_updated;
} upd_arg;

static fg_status find_for_update(fgi_meta_store *s, const char *key, fgi_meta_entry **e)
{
    *e = doc_find(&s->doc, key);
    FG_RETURN_IF(!*e, FG_ERR_NOT_FOUND, "no kernel '%.140s' in %s", key, s->name);
    return FG_OK;
}

static fg_status check_transition(const fgi_meta_entry *old, const fgi_meta_entry *neu)
{
    fgi_meta_status a = old->op.status, b = neu->op.status;
    if (fgi_meta_transition_allowed(a, b)) return FG_OK;
    char allowed[96] = "";
    size_t len = 0;
    for (int t = 0; t < FGI_META_STATUS_COUNT; t++)
        if (t != (int)a && fgi_meta_transition_allowed(a, (fgi_meta_status)t))
            len += (size_t)snprintf(allowed + len, sizeof allowed - len, "%s%s", len ? ", " : "",
                                    fgi_meta_status_name((fgi_meta_status)t));
    return FG_ERROR(FG_ERR_INVALID_ARG, "ops.%s.status: cannot go from %s to %s (allowed from %s: %s)",
                    old->op.kernel_id, fgi_meta_status_name(a), fgi_meta_status_name(b),
                    fgi_meta_status_name(a), len ? allowed : "nothing");
}

static fg_status build_update(fgi_meta_store *s, void *varg, change *ch)
{
    upd_arg *a = varg;
    fgi_meta_entry *e;
    /* The document is as on disk now (sync_disk ran under the lock). */
    FG_RETURN_IF(a->if_last_updated && strcmp(a->if_last_updated, s->doc.last_updated) != 0,
                 FG_ERR_CONFLICT, "%s changed since the copy was read (last_updated %.40s, now "
                 "%s); read it again and redo the change", s->name, a->if_last_updated,
                 s->doc.last_updated);
    FG_FORWARD(find_for_update(s, a->key, &e), "update_op");
    static const char *const fixed[] = {"op_id", "op_name", "category"};
    json_t *j = entry_json(&e->op);
    FG_RETURN_IF(!j, FG_ERR_NO_MEMORY, "entry");
    for (size_t i = 0; i < 3; i++) {
        json_t *pv = json_object_get(a->patch, fixed[i]);
        json_t *cv = json_object_get(j, fixed[i]);
        int same = pv && json_is_string(pv) && strcmp(fixed[i], "op_id") == 0
                       ? strcasecmp(json_string_value(pv), json_string_value(cv)) == 0
                       : json_equal(pv, cv);
        if (pv && !same) {
            json_decref(j);
            return FG_ERROR(FG_ERR_INVALID_ARG, "ops.%s.%s: cannot be changed (register a new "
                            "kernel id instead)", e->op.kernel_id, fixed[i]);
        }
    }
    if (!merge(j, a->patch)) {
        json_decref(j);
        return FG_ERROR(FG_ERR_NO_MEMORY, "merging patch_json");
    }
    fgi_meta_entry *n;
    fg_status st = build_checked(s, e->op.kernel_id, j,
                                 json_object_get(a->patch, "code_location") != NULL, &n);
    json_decref(j);
    if (st != FG_OK) return st;
    st = check_transition(e, n);
    if (st != FG_OK) {
        fgi_meta_entry_unref(n);
        return st;
    }
    ch->old = e;
    ch->neu = n;
    return FG_OK;
}

fg_status fgi_meta_update_op_if(fgi_meta_store *s, const char *key, const char *patch_json,
                                const char *if_last_updated)
{
    fgi_error_clear();
    FG_RETURN_IF(!s || !key || !patch_json, FG_ERR_NULL, "store, key or patch_json is NULL");
    fg_status st = need_kind(s, FGI_META_KIND_METADATA, "update_op");
    upd_arg a = {key, NULL, NULL, if_last_updated};
    if (st == FG_OK) st = parse_input(patch_json, "patch_json", &a.patch);
    if (st == FG_OK) st = transact(s, build_update, &a);
    json_decref(a.patch);
    if (st != FG_OK) fgi_error_push(st, "fgi_meta_update_op(%.140s)", key);
    return st;
}

fg_status fgi_meta_update_op(fgi_meta_store *s, const char *key, const char *patch_json)
{
    return fgi_meta_update_op_if(s, key, patch_json, NULL);
}

/* ---------------------------------------------------------------- validation results */

/* A JSON string from caller text; NULL (with the error set) when the text
 * is not UTF-8. */
static json_t *cstr(const char *text, const char *what, fg_status *st)
{
    if (!text) {
        *st = FG_ERROR(FG_ERR_NULL, "%s is NULL", what);
        return NULL;
    }
    json_t *v = json_string(text);
    if (!v) *st = FG_ERROR(FG_ERR_INVALID_ARG, "%s is not valid UTF-8", what);
    return v;
}

static json_t *jreal_checked(double x, const char *what, fg_status *st)
{
    json_t *v = json_real(x);
    if (!v) *st = FG_ERROR(FG_ERR_INVALID_ARG, "%s is %g, not a finite number", what, x);
    return v;
}

static fg_status apply_accuracy(json_t *j, const fgi_meta_accuracy_result *r, const char *now)
{
    fg_status st = FG_OK;
    json_t *at = json_object_get(json_object_get(j, "validation_info"), "accuracy_tests");
    json_t *cl = json_object_get(json_object_get(j, "graduation_tracking"), "checklist");
    FG_RETURN_IF(!at || !cl, FG_ERR_INTERNAL, "entry lacks accuracy_tests");
    FG_RETURN_IF(r->n_coverage && !r->coverage, FG_ERR_NULL, "accuracy.coverage is NULL");
    json_object_set_new(at, "passed", json_boolean(r->passed));
    json_object_set_new(at, "test_cases", json_integer(r->test_cases));
    json_t *t = cstr(r->run_time ? r->run_time : now, "accuracy.run_time", &st);
    if (!t) return st;
    json_object_set_new(at, "last_run", t);
    json_object_set_new(cl, "accuracy_passed", json_boolean(r->passed));
    json_t *cov = json_object_get(at, "coverage");
    for (size_t i = 0; i < r->n_coverage; i++) {
        const fgi_meta_coverage *c = &r->coverage[i];
        FG_RETURN_IF(!c->dtype || (c->n_shapes && !c->shapes), FG_ERR_NULL,
                     "accuracy.coverage[%zu] has a NULL dtype or shapes", i);
        json_t *k = cstr(c->dtype, "accuracy.coverage[].dtype", &st);
        if (!k) return st;
        json_decref(k);
        json_t *list = json_object_get(cov, c->dtype);
        if (!json_is_array(list)) {
            list = json_array();
            json_object_set_new(cov, c->dtype, list);
        }
        for (size_t m = 0; m < c->n_shapes; m++) {
            json_t *sh = cstr(c->shapes[m], "accuracy.coverage[].shapes[]", &st);
            if (!sh) return st;
            int present = 0;
            size_t q;
            json_t *x;
            json_array_foreach(list, q, x) present |= json_equal(x, sh);
            if (present) json_decref(sh);
            else json_array_append_new(list, sh);
        }
    }
    return FG_OK;
}

static fg_status apply_performance(json_t *j, const fgi_meta_performance_result *r, const char *now)
{
    fg_status st = FG_OK;
    json_t *pt = json_object_get(json_object_get(j, "validation_info"), "performance_tests");
    json_t *cl = json_object_get(json_object_get(j, "graduation_tracking"), "checklist");
    json_t *list = json_object_get(pt, "baselines");
    FG_RETURN_IF(!pt || !cl || !json_is_array(list), FG_ERR_INTERNAL, "entry lacks baselines");
    FG_RETURN_IF(r->n_baselines && !r->baselines, FG_ERR_NULL, "performance.baselines is NULL");
    const char *when = r->run_time ? r->run_time : now;
    for (size_t i = 0; i < r->n_baselines; i++) {
        const fgi_meta_baseline *b = &r->baselines[i];
        FG_RETURN_IF(b->shape_len && !b->shape, FG_ERR_NULL, "performance.baselines[%zu].shape is "
                     "NULL", i);
        FG_RETURN_IF(b->shape_len > 16, FG_ERR_INVALID_ARG, "performance.baselines[%zu].shape has "
                     "%zu dims, more than 16", i, b->shape_len);
        json_t *o = json_object(), *shape = json_array();
        if (!o || !shape) {
            json_decref(o);
            json_decref(shape);
            return FG_ERROR(FG_ERR_NO_MEMORY, "baseline");
        }
        for (size_t k = 0; k < b->shape_len; k++) json_array_append_new(shape, json_integer(b->shape[k]));
        json_object_set_new(o, "shape", shape);
        json_t *fields[6] = {
            cstr(b->device, "performance.baselines[].device", &st),
            cstr(b->dtype, "performance.baselines[].dtype", &st),
            cstr(b->reference_impl, "performance.baselines[].reference_impl", &st),
            cstr(b->timestamp ? b->timestamp : when, "performance.baselines[].timestamp", &st),
            jreal_checked(b->speedup, "performance.baselines[].speedup", &st),
            jreal_checked(b->memory_overhead, "performance.baselines[].memory_overhead", &st)};
        static const char *const names[6] = {"device",    "dtype",   "reference_impl",
                                             "timestamp", "speedup", "memory_overhead"};
        int ok = 1;
        for (int f = 0; f < 6; f++) {
            if (fields[f]) json_object_set_new(o, names[f], fields[f]);
            else ok = 0;
        }
        if (!ok) {
            json_decref(o);
            return st;
        }
        /* Same device, dtype, shape and reference: a re-measurement. */
        size_t q, found = SIZE_MAX;
        json_t *x;
        json_array_foreach(list, q, x)
        {
            if (json_equal(json_object_get(x, "device"), json_object_get(o, "device")) &&
                json_equal(json_object_get(x, "dtype"), json_object_get(o, "dtype")) &&
                json_equal(json_object_get(x, "shape"), json_object_get(o, "shape")) &&
                json_equal(json_object_get(x, "reference_impl"), json_object_get(o, "reference_impl")))
                found = q;
        }
        if (found != SIZE_MAX) json_array_set_new(list, found, o);
        else json_array_append_new(list, o);
    }
    json_t *t = cstr(when, "performance.run_time", &st);
    if (!t) return st;
    json_object_set_new(pt, "last_run", t);
    if (r->passed >= 0) json_object_set_new(cl, "performance_passed", json_boolean(r->passed));
    return FG_OK;
}

static fg_status build_validation(fgi_meta_store *s, void *varg, change *ch)
{
    upd_arg *a = varg;
    const fgi_meta_validation_result *r = a->result;
    fgi_meta_entry *e;
    FG_FORWARD(find_for_update(s, a->key, &e), "update_validation_status");
    json_t *j = entry_json(&e->op);
    FG_RETURN_IF(!j, FG_ERR_NO_MEMORY, "entry");
    char now[48];
    now_text(now, sizeof now);
    fg_status st = FG_OK;
    if (r->accuracy) st = apply_accuracy(j, r->accuracy, now);
    if (st == FG_OK && r->performance) st = apply_performance(j, r->performance, now);
    if (st != FG_OK) {
        json_decref(j);
        return st;
    }
    int acc_pass = r->accuracy && r->accuracy->passed;
    int fail = (r->accuracy && !r->accuracy->passed) || (r->performance && r->performance->passed == 0);
    fgi_meta_status to = e->op.status;
    if (e->op.status == FGI_META_EXPERIMENTAL && acc_pass && !fail) to = FGI_META_VALIDATED;
    if (e->op.status == FGI_META_VALIDATED && fail) to = FGI_META_EXPERIMENTAL;
    json_object_set_new(j, "status", json_string(fgi_meta_status_name(to)));
    if (fail)
        json_object_set_new(json_object_get(j, "graduation_tracking"), "eligible", json_false());
    fgi_meta_entry *n;
    st = build_checked(s, e->op.kernel_id, j, 0, &n);
    json_decref(j);
    if (st != FG_OK) return st;
    ch->old = e;
    ch->neu = n;
    return FG_OK;
}

fg_status fgi_meta_update_validation_status(fgi_meta_store *s, const char *key,
                                            const fgi_meta_validation_result *result)
{
    fgi_error_clear();
    FG_RETURN_IF(!s || !key || !result, FG_ERR_NULL, "store, key or result is NULL");
    FG_RETURN_IF(!result->accuracy && !result->performance, FG_ERR_INVALID_ARG,
                 "result has neither an accuracy nor a performance part");
    fg_status st = need_kind(s, FGI_META_KIND_METADATA, "update_validation_status");
    upd_arg a = {key, NULL, result, NULL};
    if (st == FG_OK) st = transact(s, build_validation, &a);
    if (st != FG_OK) fgi_error_push(st, "fgi_meta_update_validation_status(%.140s)", key);
    return st;
}

/* ================================================================ reading */

fg_status fgi_meta_get_op(fgi_meta_store *s, const char *key, const fgi_meta_op **out)
{
    fgi_error_clear();
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!s || !key, FG_ERR_NULL, "store or key is NULL");
    pthread_rwlock_rdlock(&s->rw);
    fgi_meta_entry *e = doc_find(&s->doc, key);
    if (e) __atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
    pthread_rwlock_unlock(&s->rw);
    FG_RETURN_IF(!e, FG_ERR_NOT_FOUND, "no kernel '%.140s' in %s", key, s->name);
    *out = &e->op;
    return FG_OK;
}

void fgi_meta_op_release(const fgi_meta_op *op)
{
    /* op is the first member of its entry. */
    if (op) fgi_meta_entry_unref((fgi_meta_entry *)(void *)op);
}

fg_status fgi_meta_op_to_json(const fgi_meta_op *op, char **out)
{
    fgi_error_clear();
    FG_RETURN_IF(!op || !out, FG_ERR_NULL, "op or out is NULL");
    fgi_mbuf b = {0};
    fgi_meta_write_entry(&b, op, 0);
    if (b.oom) {
        free(b.data);
        return FG_ERROR(FG_ERR_NO_MEMORY, "op text");
    }
    *out = b.data;
    return FG_OK;
}

static int ieq(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

static int matches(const fgi_meta_op *op, const fgi_meta_filter *f)
{
    if (f->status_mask && !(f->status_mask & (1u << op->status))) return 0;
    if (f->category_mask && !(f->category_mask & (1u << op->category))) return 0;
    if (f->eligible == FGI_META_ELIGIBLE_YES && !op->graduation_tracking.eligible) return 0;
    if (f->eligible == FGI_META_ELIGIBLE_NO && op->graduation_tracking.eligible) return 0;
    if (f->op_name && strcmp(f->op_name, op->op_name) != 0) return 0;
    if (f->group && strcmp(f->group, op->group) != 0) return 0;
    if (f->device) {
        int hit = ieq(f->device, op->device);
        for (size_t i = 0; !hit && i < op->hardware_support.n_tested_devices; i++)
            hit = ieq(f->device, op->hardware_support.tested_devices[i]);
        if (!hit) return 0;
    }
    return 1;
}

fg_status fgi_meta_query_ops(fgi_meta_store *s, const fgi_meta_filter *filter,
                             fgi_meta_op_list *out)
{
    fgi_error_clear();
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    out->ops = NULL;
    out->count = 0;
    FG_RETURN_IF(!s, FG_ERR_NULL, "store is NULL");
    fgi_meta_filter all = {0, 0, NULL, NULL, NULL, FGI_META_ELIGIBLE_ANY};
    const fgi_meta_filter *f = filter ? filter : &all;
    FG_RETURN_IF(f->status_mask >> FGI_META_STATUS_COUNT, FG_ERR_INVALID_ARG,
                 "status_mask 0x%x has bits for no status", f->status_mask);
    FG_RETURN_IF(f->category_mask >> FGI_META_CATEGORY_COUNT, FG_ERR_INVALID_ARG,
                 "category_mask 0x%x has bits for no category", f->category_mask);
    FG_RETURN_IF(f->group && strcmp(f->group, "generated") && strcmp(f->group, "custom"),
                 FG_ERR_INVALID_ARG, "group '%.40s' is not \"generated\" or \"custom\"", f->group);
    FG_RETURN_IF(f->eligible < FGI_META_ELIGIBLE_ANY || f->eligible > FGI_META_ELIGIBLE_NO,
                 FG_ERR_INVALID_ARG, "eligible must be FGI_META_ELIGIBLE_ANY (0), _YES (1) or "
                 "_NO (2), got %d", f->eligible);
    pthread_rwlock_rdlock(&s->rw);
    size_t cap = 0, n = 0;
    const fgi_meta_op **ops = NULL;
    fg_status st = FG_OK;
    for (size_t i = 0; i < s->doc.n; i++) {
        fgi_meta_entry *e = s->doc.sorted[i];
        if (!matches(&e->op, f)) continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            const fgi_meta_op **p = realloc(ops, nc * sizeof *p);
            if (!p) {
                st = FG_ERR_NO_MEMORY;
                break;
            }
            ops = p;
            cap = nc;
        }
        __atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
        ops[n++] = &e->op;
    }
    pthread_rwlock_unlock(&s->rw);
    if (st != FG_OK) {
        fgi_meta_op_list tmp = {ops, n};
        fgi_meta_op_list_release(&tmp);
        return FG_ERROR(st, "query result");
    }
    out->ops = ops;
    out->count = n;
    return FG_OK;
}

void fgi_meta_op_list_release(fgi_meta_op_list *list)
{
    if (!list) return;
    for (size_t i = 0; i < list->count; i++) fgi_meta_op_release(list->ops[i]);
    free((void *)list->ops);
    list->ops = NULL;
    list->count = 0;
}

void fgi_meta_free(void *p) { free(p); }

fg_status fgi_meta_to_json(fgi_meta_store *s, char **out, size_t *len)
{
    fgi_error_clear();
    FG_RETURN_IF(!s || !out, FG_ERR_NULL, "store or out is NULL");
    *out = NULL;
    doc_text b;
    pthread_mutex_lock(&s->wmu);
    int ok = serialize(s, NULL, s->doc.last_updated, &b);
    pthread_mutex_unlock(&s->wmu);
    char *text = ok ? text_join(&b) : NULL;
    size_t total = b.total;
    text_free(&b);
    FG_RETURN_IF(!text, FG_ERR_NO_MEMORY, "document text");
    *out = text;
    if (len) *len = total;
    return FG_OK;
}

/* ================================================================ graduation view */

void fgi_meta_set_criteria(fgi_meta_store *s, fgi_meta_criteria_fn fn, void *ctx)
{
    if (!s) return;
    pthread_rwlock_wrlock(&s->rw);
    s->crit = fn;
    s->crit_ctx = ctx;
    pthread_rwlock_unlock(&s->rw);
}

fg_status fgi_meta_check_graduation_eligibility(fgi_meta_store *s, const char *key,
                                                fgi_meta_grad_report *out)
{
    fgi_error_clear();
    FG_RETURN_IF(!s || !key || !out, FG_ERR_NULL, "store, key or out is NULL");
    FG_FORWARD(need_kind(s, FGI_META_KIND_METADATA, "check_graduation_eligibility"),
               "fgi_meta_check_graduation_eligibility");
    const fgi_meta_op *op;
    FG_FORWARD(fgi_meta_get_op(s, key, &op), "fgi_meta_check_graduation_eligibility");
    pthread_rwlock_rdlock(&s->rw);
    fgi_meta_criteria_fn fn = s->crit;
    void *ctx = s->crit_ctx;
    pthread_rwlock_unlock(&s->rw);
    fgi_meta_default_criteria(op, out);
    fg_status st = fn ? fn(op, out, ctx) : FG_OK;
    fgi_meta_op_release(op);
    if (st != FG_OK) fgi_error_push(st, "graduation criteria for '%.140s'", key);
    return st;
}

/* ================================================================ tracker */

typedef struct trk_arg {
    const fgi_meta_candidate *cand; /* n_cand of them */
    const fgi_meta_graduated *grad;
    const char *remove_id;
    size_t n_cand;
} trk_arg;

static fg_status today(const char *given, char *buf, size_t n)
{
    if (given) {
        snprintf(buf, n, "%s", given);
        return FG_OK;
    }
    char t[48];
    now_text(t, sizeof t);
    snprintf(buf, n, "%.10s", t);
    return FG_OK;
}

static json_t *candidate_json(const fgi_meta_candidate *c, fg_status *st)
{
    char since[64];
    today(c->eligible_since, since, sizeof since);
    json_t *o = json_object(), *issues = json_array();
    if (!o || !issues) {
        json_decref(o);
        json_decref(issues);
        *st = FG_ERROR(FG_ERR_NO_MEMORY, "candidate");
        return NULL;
    }
    json_object_set_new(o, "blocking_issues", issues);
    if (c->n_blocking_issues && !c->blocking_issues) {
        json_decref(o);
        *st = FG_ERROR(FG_ERR_NULL, "candidate.blocking_issues is NULL");
        return NULL;
    }
    for (size_t i = 0; i < c->n_blocking_issues; i++) {
        json_t *v = cstr(c->blocking_issues[i], "candidate.blocking_issues[]", st);
        if (!v) {
            json_decref(o);
            return NULL;
        }
        json_array_append_new(issues, v);
    }
    json_t *f[5] = {cstr(c->op_id, "candidate.op_id", st), cstr(c->op_name, "candidate.op_name", st),
                    cstr(c->status, "candidate.status", st), cstr(since, "candidate.eligible_since", st),
                    cstr(c->next_action, "candidate.next_action", st)};
    static const char *const names[5] = {"op_id", "op_name", "status", "eligible_since",
                                         "next_action"};
    int ok = 1;
    for (int i = 0; i < 5; i++) {
        if (f[i]) json_object_set_new(o, names[i], f[i]);
        else ok = 0;
    }
    json_t *score = jreal_checked(c->graduation_score, "candidate.graduation_score", st);
    if (score) json_object_set_new(o, "graduation_score", score);
    else ok = 0;
    json_object_set_new(o, "pr_number", c->pr_number > 0 ? json_integer(c->pr_number) : json_null());
    if (c->pr_number < 0) {
        *st = FG_ERROR(FG_ERR_INVALID_ARG, "candidate.pr_number is %lld; use 0 for none",
                       (long long)c->pr_number);
        ok = 0;
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static fg_status build_tracker(fgi_meta_store *s, void *varg, change *ch)
{
    trk_arg *a = varg;
    fg_status st = FG_OK;
    json_t *doc = json_deep_copy(s->doc.tracker);
    FG_RETURN_IF(!doc, FG_ERR_NO_MEMORY, "tracker copy");
    json_t *cands = json_object_get(doc, "graduation_candidates");
    json_t *grads = json_object_get(doc, "recently_graduated");
    size_t i;
    json_t *x;
    if (a->cand) {
        for (size_t c = 0; c < a->n_cand; c++) {
            const fgi_meta_candidate *cand = &a->cand[c];
            json_t *o = candidate_json(cand, &st);
            if (!o) goto fail;
            size_t found = SIZE_MAX;
            json_array_foreach(cands, i, x) if (cand->op_id &&
                                                strcasecmp(json_string_value(json_object_get(x, "op_id")),
                                                           cand->op_id) == 0) found = i;
            if (found != SIZE_MAX) json_array_set_new(cands, found, o);
            else json_array_append_new(cands, o);
        }
    } else if (a->remove_id) {
        size_t found = SIZE_MAX;
        json_array_foreach(cands, i, x) if (strcasecmp(json_string_value(json_object_get(x, "op_id")),
                                                       a->remove_id) == 0) found = i;
        if (found == SIZE_MAX) {
            st = FG_ERROR(FG_ERR_NOT_FOUND, "no graduation candidate with op_id '%.40s'",
                          a->remove_id);
            goto fail;
        }
        json_array_remove(cands, found);
    } else {
        const fgi_meta_graduated *g = a->grad;
        char date[64];
        today(g->graduation_date, date, sizeof date);
        json_t *o = json_object();
        json_t *f[4] = {cstr(g->op_name, "graduated.op_name", &st),
                        cstr(g->graduated_version, "graduated.graduated_version", &st),
                        cstr(date, "graduated.graduation_date", &st),
                        cstr(g->deprecation_date, "graduated.deprecation_date", &st)};
        static const char *const names[4] = {"op_name", "graduated_version", "graduation_date",
                                             "deprecation_date"};
        int ok = o != NULL;
        for (int k = 0; k < 4; k++) {
            if (f[k] && o) json_object_set_new(o, names[k], f[k]);
            else {
                json_decref(f[k]);
                ok = 0;
            }
        }
        if (!ok) {
            json_decref(o);
            if (st == FG_OK) st = FG_ERROR(FG_ERR_NO_MEMORY, "graduated record");
            goto fail;
        }
        size_t found = SIZE_MAX;
        json_array_foreach(grads, i, x) if (
            json_equal(json_object_get(x, "op_name"), json_object_get(o, "op_name")) &&
            json_equal(json_object_get(x, "graduated_version"),
                       json_object_get(o, "graduated_version"))) found = i;
        if (found != SIZE_MAX) json_array_set_new(grads, found, o);
        else json_array_append_new(grads, o);
    }
    fgi_meta_diag d;
    fgi_meta_diag_init(&d);
    json_t *canon;
    if (!fgi_meta_validate_tracker(doc, &d, &canon)) {
        st = d.count ? FG_ERROR(FG_ERR_INVALID_ARG, "%s", d.msg)
                     : FG_ERROR(FG_ERR_NO_MEMORY, "tracker");
        goto fail;
    }
    json_decref(doc);
    ch->tracker = canon;
    return FG_OK;
fail:
    json_decref(doc);
    return st;
}

static fg_status tracker_call(fgi_meta_store *s, trk_arg *a, const char *fn)
{
    fg_status st = need_kind(s, FGI_META_KIND_TRACKER, fn);
    if (st == FG_OK) st = transact(s, build_tracker, a);
    if (st != FG_OK) fgi_error_push(st, "%s", fn);
    return st;
}

fg_status fgi_meta_tracker_upsert_candidate(fgi_meta_store *s, const fgi_meta_candidate *c)
{
    fgi_error_clear();
    FG_RETURN_IF(!s || !c, FG_ERR_NULL, "store or candidate is NULL");
    trk_arg a = {c, NULL, NULL, 1};
    return tracker_call(s, &a, "fgi_meta_tracker_upsert_candidate");
}

fg_status fgi_meta_tracker_upsert_candidates(fgi_meta_store *s, const fgi_meta_candidate *c, size_t n)
{
    fgi_error_clear();
    FG_RETURN_IF(!s || (!c && n), FG_ERR_NULL, "store or candidates is NULL");
    if (n == 0) return FG_OK;
    trk_arg a = {c, NULL, NULL, n};
    return tracker_call(s, &a, "fgi_meta_tracker_upsert_candidates");
}

fg_status fgi_meta_tracker_remove_candidate(fgi_meta_store *s, const char *op_id)
{
    fgi_error_clear();
    FG_RETURN_IF(!s || !op_id, FG_ERR_NULL, "store or op_id is NULL");
    trk_arg a = {NULL, NULL, op_id, 0};
    return tracker_call(s, &a, "fgi_meta_tracker_remove_candidate");
}

fg_status fgi_meta_tracker_add_graduated(fgi_meta_store *s, const fgi_meta_graduated *g)
{
    fgi_error_clear();
    FG_RETURN_IF(!s || !g, FG_ERR_NULL, "store or record is NULL");
    trk_arg a = {NULL, g, NULL, 0};
    return tracker_call(s, &a, "fgi_meta_tracker_add_graduated");
}
