/* float16 / bfloat16 conversion against independent arithmetic: every
 * float16 and bfloat16 bit pattern, every rounding tie between neighbours,
 * random float32 patterns, and the bulk converters of both ISAs against the
 * scalar ones. */
#include <cpuid.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---------------------------------------------------------------- independent decoders */

/* float16 value by its definition: (-1)^s * 2^(e-15) * 1.m, denormals 2^-14 * 0.m */
static double f16_value(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    double v;
    if (e == 0)
        v = ldexp(m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexp(1024 + m, e - 25);
    return (h & 0x8000) ? -v : v;
}

static bool f16_is_nan(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x3ff); }
static bool bf16_is_nan(uint16_t b) { return (b & 0x7f80) == 0x7f80 && (b & 0x7f); }

/* Rounds a finite x to `bits` significant bits, ties to even, quanta no
 * smaller than 2^min_exp, by exact arithmetic in double: x has at most 24
 * significant bits, so x / q and every step below are exact. */
static double round_bits(double x, int bits, int min_exp)
{
    double ax = fabs(x);
    if (ax == 0) return x;
    int e;
    frexp(ax, &e); /* ax = f * 2^e, f in [0.5, 1) */
    int qexp = e - bits;
    if (qexp < min_exp) qexp = min_exp;
    double q = ldexp(1.0, qexp);
    double n = ax / q, fl = floor(n), frac = n - fl;
    double r = frac > 0.5 ? fl + 1 : frac < 0.5 ? fl : (fmod(fl, 2.0) == 0 ? fl : fl + 1);
    return copysign(r * q, x);
}

/* What float32 -> float16 must give, as a value (NaN for NaN). */
static double expect_f16(float x)
{
    if (isnan(x)) return NAN;
    if (fabs((double)x) >= 65520.0) return copysign(INFINITY, x); /* halfway to 2^16 and up */
    return round_bits(x, 11, -24);
}

static double expect_bf16(float x)
{
    if (isnan(x)) return NAN;
    if (isinf(x)) return x;
    double r = round_bits(x, 8, -133);
    if (fabs(r) >= ldexp(1.0, 128)) return copysign(INFINITY, x);
    return r;
}

static bool same_value(double got, double want)
{
    if (isnan(want)) return isnan(got);
    return got == want && signbit(got) == signbit(want);
}

static int check_f16(float x)
{
    uint16_t h = fgi_f32_to_f16(x);
    double want = expect_f16(x), got = f16_value(h);
    if (same_value(got, want) && (!isnan(x) || (h & 0x200))) return 0;
    print_error("f32->f16 of %.10g (bits 0x%08x): got 0x%04x = %.10g, expected %.10g\n", x,
                fgi_f32_bits(x), h, got, want);
    return 1;
}

static int check_bf16(float x)
{
    uint16_t b = fgi_f32_to_bf16(x);
    double want = expect_bf16(x), got = (double)fgi_bits_f32((uint32_t)b << 16);
    if (same_value(got, want) && (!isnan(x) || (b & 0x40))) return 0;
    print_error("f32->bf16 of %.10g (bits 0x%08x): got 0x%04x = %.10g, expected %.10g\n", x,
                fgi_f32_bits(x), b, got, want);
    return 1;
}

/* A value, its float32 neighbours, and the same negated. */
static int check_around(int (*check)(float), double v)
{
    int bad = 0;
    for (int s = 0; s < 2; s++) {
        float f = (float)(s ? -v : v);
        assert_true((double)f == (s ? -v : v)); /* v must be exact in float32 */
        bad += check(f) + check(nextafterf(f, INFINITY)) + check(nextafterf(f, -INFINITY));
    }
    return bad;
}

/* ---------------------------------------------------------------- float16 */

static void test_f16_to_f32_all(void **state)
{
    (void)state;
    int bad = 0;
    for (uint32_t u = 0; u < 65536; u++) {
        uint16_t h = (uint16_t)u;
        float f = fgi_f16_to_f32(h);
        double want = f16_value(h);
        if (!same_value(f, want)) {
            if (bad++ < 5) print_error("f16 0x%04x -> %.10g, expected %.10g\n", h, f, want);
            continue;
        }
        uint16_t back = fgi_f32_to_f16(f);
        if (f16_is_nan(h)) {
            /* NaN stays NaN, keeps its sign, comes back quiet */
            if (!f16_is_nan(back) || (back & 0x8000) != (h & 0x8000) || !(back & 0x200)) {
                if (bad++ < 5) print_error("f16 NaN 0x%04x came back as 0x%04x\n", h, back);
            }
            if (!isnan(f) || !(fgi_f32_bits(f) & 0x400000)) {
                if (bad++ < 5) print_error("f16 NaN 0x%04x -> f32 0x%08x\n", h, fgi_f32_bits(f));
            }
        } else if (back != h) {
            if (bad++ < 5) print_error("f16 0x%04x -> %.10g -> 0x%04x\n", h, f, back);
        }
    }
    assert_int_equal(bad, 0);
}

static void test_f32_to_f16_ties(void **state)
{
    (void)state;
    int bad = 0;
    /* each pair of neighbouring finite float16 values: both, their
     * midpoint (an exact tie), and float32 neighbours of each */
    for (uint32_t h = 0; h < 0x7bff; h++) {
        double v = f16_value((uint16_t)h), v2 = f16_value((uint16_t)(h + 1));
        bad += check_around(check_f16, v) + check_around(check_f16, (v + v2) / 2);
    }
    /* the top: 65504 is the largest value, 65520 halfway to 2^16 */
    bad += check_around(check_f16, 65504.0) + check_around(check_f16, 65520.0);
    assert_int_equal(bad, 0);

    /* hand-checked cases (bits) */
    struct {
        float x;
        uint16_t h;
    } fixed[] = {
        {1.0f, 0x3c00},          {-2.0f, 0xc000},
        {65504.0f, 0x7bff},      {65519.0f, 0x7bff},
        {65520.0f, 0x7c00},      {-65520.0f, 0xfc00},
        {1e10f, 0x7c00},         {FLT_MAX, 0x7c00},
        {INFINITY, 0x7c00},      {-INFINITY, 0xfc00},
        {0x1p-24f, 0x0001},      {0x1p-25f, 0x0000}, /* tie between 0 and 2^-24: even is 0 */
        {0x1.000002p-25f, 0x0001}, {0x3p-25f, 0x0002}, /* tie between 1 and 2 quanta: 2 */
        {0x5p-25f, 0x0002},      {0x1p-14f, 0x0400}, /* smallest normal */
        {0x1.ffcp-15f, 0x0400},  /* 1023.5 quanta rounds up into the normal range */
        {-0x1p-30f, 0x8000},     {-0.0f, 0x8000},
        {0x1p-149f, 0x0000},     {1.0009765625f, 0x3c01},
        {1.00048828125f, 0x3c00}, /* tie: 1 + 2^-11 -> 1 (even) */
        {1.00146484375f, 0x3c02}, /* tie: 1 + 3*2^-11 -> 1 + 2^-9 (even) */
        {2049.0f, 0x6800},       {2051.0f, 0x6802},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        uint16_t h = fgi_f32_to_f16(fixed[i].x);
        if (h != fixed[i].h)
            print_error("f32->f16 of %a: got 0x%04x, expected 0x%04x\n", (double)fixed[i].x, h,
                        fixed[i].h);
        assert_int_equal(h, fixed[i].h);
    }
    /* NaNs: any payload, either sign, stays NaN */
    const uint32_t nans[] = {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u,
                             0x7fffffffu, 0x7fa00000u, 0x7f802000u};
    for (size_t i = 0; i < sizeof nans / sizeof nans[0]; i++) {
        uint16_t h = fgi_f32_to_f16(fgi_bits_f32(nans[i]));
        assert_true(f16_is_nan(h));
        assert_int_equal(h & 0x8000, (nans[i] >> 16) & 0x8000);
        assert_true(h & 0x200);
    }
}

static void test_f32_to_f16_random(void **state)
{
    (void)state;
    tu_rng r = {42};
    int bad = 0;
    for (int i = 0; i < 1000000 && bad < 5; i++) {
        /* half any bit pattern, half values in and around float16's range */
        uint32_t u = (uint32_t)tu_next(&r);
        if (i & 1) u = (u & 0x807fffffu) | ((uint32_t)(127 - 30 + tu_below(&r, 50)) << 23);
        bad += check_f16(fgi_bits_f32(u));
    }
    assert_int_equal(bad, 0);
}

/* ---------------------------------------------------------------- bfloat16 */

static void test_bf16_all(void **state)
{
    (void)state;
    int bad = 0;
    for (uint32_t u = 0; u < 65536; u++) {
        uint16_t b = (uint16_t)u;
        float f = fgi_bf16_to_f32(b);
        if (fgi_f32_bits(f) != u << 16 && bad++ < 5)
            print_error("bf16 0x%04x -> f32 0x%08x\n", b, fgi_f32_bits(f));
        uint16_t back = fgi_f32_to_bf16(f);
        if (bf16_is_nan(b)) {
            if ((!bf16_is_nan(back) || (back & 0x8000) != (b & 0x8000) || !(back & 0x40)) &&
                bad++ < 5)
                print_error("bf16 NaN 0x%04x came back as 0x%04x\n", b, back);
        } else if (back != b && bad++ < 5) {
            print_error("bf16 0x%04x -> %g -> 0x%04x\n", b, f, back);
        }
    }
    assert_int_equal(bad, 0);
}

static void test_f32_to_bf16_ties(void **state)
{
    (void)state;
    int bad = 0;
    for (uint32_t b = 0; b < 0x7f7f; b++) {
        double v = fgi_bf16_to_f32((uint16_t)b), v2 = fgi_bf16_to_f32((uint16_t)(b + 1));
        bad += check_around(check_bf16, v) + check_around(check_bf16, (v + v2) / 2);
        if (bad > 5) break;
    }
    assert_int_equal(bad, 0);
    struct {
        uint32_t x;
        uint16_t b;
    } fixed[] = {
        {0x3f800000u, 0x3f80}, /* 1 */
        {0x3f808000u, 0x3f80}, /* tie, even down */
        {0x3f818000u, 0x3f82}, /* tie, even up */
        {0x3f808001u, 0x3f81}, /* above the tie */
        {0x3f807fffu, 0x3f80}, /* below the tie */
        {0x7f7fffffu, 0x7f80}, /* FLT_MAX rounds to Inf */
        {0x7f7f8000u, 0x7f80}, /* tie above the largest bf16 (odd): Inf */
        {0x7f7f7fffu, 0x7f7f},
        {0x7f800000u, 0x7f80}, {0xff800000u, 0xff80}, /* Inf */
        {0x00000001u, 0x0000}, /* smallest f32 denormal */
        {0x00008000u, 0x0000}, /* tie at the bottom: 0 is even */
        {0x00018000u, 0x0002}, {0x80000000u, 0x8000},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        uint16_t b = fgi_f32_to_bf16(fgi_bits_f32(fixed[i].x));
        if (b != fixed[i].b)
            print_error("f32 0x%08x -> bf16 0x%04x, expected 0x%04x\n", fixed[i].x, b,
                        fixed[i].b);
        assert_int_equal(b, fixed[i].b);
    }
    /* NaN stays NaN and is quiet, even when the payload sits only in the low
     * bits that truncation drops */
    const uint32_t nans[] = {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u,
                             0x7f80ffffu, 0x7fffffffu, 0x7f810000u};
    for (size_t i = 0; i < sizeof nans / sizeof nans[0]; i++) {
        uint16_t b = fgi_f32_to_bf16(fgi_bits_f32(nans[i]));
        if (!bf16_is_nan(b) || !(b & 0x40))
            print_error("f32 NaN 0x%08x -> bf16 0x%04x\n", nans[i], b);
        assert_true(bf16_is_nan(b));
        assert_true(b & 0x40);
        assert_int_equal(b & 0x8000, (nans[i] >> 16) & 0x8000);
    }
}

static void test_f32_to_bf16_random(void **state)
{
    (void)state;
    tu_rng r = {7};
    int bad = 0;
    for (int i = 0; i < 1000000 && bad < 5; i++) bad += check_bf16(fgi_bits_f32((uint32_t)tu_next(&r)));
    assert_int_equal(bad, 0);
}

/* ---------------------------------------------------------------- bulk */

static bool cpu_has_avx2_set(void)
{
    __builtin_cpu_init();
    unsigned a, b, c, d;
    bool f16c = __get_cpuid(1, &a, &b, &c, &d) && ((c >> 29) & 1);
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
}

typedef void (*to_fn)(float *, const void *, int64_t, fgi_dtype);
typedef void (*from_fn)(void *, const float *, int64_t, fgi_dtype);

static float scalar_to(const void *src, int64_t i, fgi_dtype dt)
{
    switch (dt) {
    case FGI_F16: return fgi_f16_to_f32(((const uint16_t *)src)[i]);
    case FGI_BF16: return fgi_bf16_to_f32(((const uint16_t *)src)[i]);
    case FGI_F64: return (float)((const double *)src)[i];
    default: return ((const float *)src)[i];
    }
}

/* Bits of element i of a buffer of dt (f64 as its float conversion). */
static uint64_t elem_bits(const void *p, int64_t i, fgi_dtype dt)
{
    switch (dt) {
    case FGI_F16:
    case FGI_BF16: return ((const uint16_t *)p)[i];
    case FGI_F64: {
        uint64_t u;
        memcpy(&u, (const double *)p + i, 8);
        return u;
    }
    default: return fgi_f32_bits(((const float *)p)[i]);
    }
}

static bool elem_nan(const void *p, int64_t i, fgi_dtype dt)
{
    switch (dt) {
    case FGI_F16: return f16_is_nan(((const uint16_t *)p)[i]);
    case FGI_BF16: return bf16_is_nan(((const uint16_t *)p)[i]);
    case FGI_F64: return isnan(((const double *)p)[i]);
    default: return isnan(((const float *)p)[i]);
    }
}

#define GUARD 16
static const int64_t lengths[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 70001};

/* Source float32 values: rounding ties for float16 and bfloat16, specials,
 * random patterns. */
static void f32_sources(float *v, int64_t n, tu_rng *r)
{
    const float special[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 65520.0f, 65504.0f,
                             0x1p-25f, 0x3p-25f, FLT_MAX, 0x1p-149f, fgi_bits_f32(0x7f800001u),
                             fgi_bits_f32(0x3f808000u), fgi_bits_f32(0x3f818000u)};
    int ns = (int)(sizeof special / sizeof special[0]);
    for (int64_t i = 0; i < n; i++) {
        switch (i % 4) {
        case 0: v[i] = special[(i / 4) % ns]; break;
        case 1: v[i] = fgi_bits_f32((uint32_t)tu_next(r)); break;
        case 2: { /* a float16 tie */
            uint16_t h = (uint16_t)tu_below(r, 0x7bff);
            v[i] = (float)((f16_value(h) + f16_value((uint16_t)(h + 1))) / 2);
            break;
        }
        default: v[i] = (float)tu_uniform(r, -70000, 70000); break;
        }
    }
}

static void check_bulk_to(const char *name, to_fn fn, fgi_dtype dt)
{
    tu_rng r = {(uint64_t)dt + 100};
    int64_t maxn = lengths[sizeof lengths / sizeof lengths[0] - 1];
    int esz = fgi_dtype_size(dt);
    char *src = malloc((size_t)(maxn + 8) * (size_t)esz);
    float *dst = malloc((size_t)(maxn + 8 + 2 * GUARD) * sizeof(float));
    assert_non_null(src);
    assert_non_null(dst);
    for (int64_t i = 0; i < maxn + 8; i++) {
        if (dt == FGI_F16 || dt == FGI_BF16)
            ((uint16_t *)src)[i] = (uint16_t)(i * 40503u + 7); /* visits every pattern */
        else if (dt == FGI_F64)
            ((double *)src)[i] = tu_uniform(&r, -1e5, 1e5) * (i % 7 ? 1 : 1e300);
        else
            ((float *)src)[i] = fgi_bits_f32((uint32_t)tu_next(&r));
    }
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        for (int off = 0; off < 4; off++) {
            int64_t n = lengths[li];
            const char *s = src + off * esz;
            float *d = dst + GUARD + off;
            memset(dst, 0xEE, (size_t)(maxn + 8 + 2 * GUARD) * sizeof(float));
            fn(d, s, n, dt);
            for (int64_t i = 0; i < n; i++) {
                float want = scalar_to(s, i, dt), got = d[i];
                bool ok = isnan(want) ? isnan(got) : fgi_f32_bits(got) == fgi_f32_bits(want);
                if (!ok) {
                    print_error("%s(%s) n=%lld off=%d: element %lld got 0x%08x, scalar 0x%08x\n",
                                name, tu_dtype_name(dt), (long long)n, off, (long long)i,
                                fgi_f32_bits(got), fgi_f32_bits(want));
                    fail();
                }
            }
            const unsigned char *g = (const unsigned char *)dst;
            for (size_t b = 0; b < (size_t)(GUARD + off) * 4; b++) assert_int_equal(g[b], 0xEE);
            g = (const unsigned char *)(d + n);
            for (size_t b = 0; b < GUARD * 4; b++) assert_int_equal(g[b], 0xEE);
        }
    }
    free(src);
    free(dst);
}

static void check_bulk_from(const char *name, from_fn fn, fgi_dtype dt)
{
    tu_rng r = {(uint64_t)dt + 200};
    int64_t maxn = lengths[sizeof lengths / sizeof lengths[0] - 1];
    int esz = fgi_dtype_size(dt);
    float *src = malloc((size_t)(maxn + 8) * sizeof(float));
    char *dst = malloc((size_t)(maxn + 8 + 2 * GUARD) * (size_t)esz);
    char *want = malloc((size_t)(maxn + 8) * (size_t)esz);
    assert_non_null(src);
    assert_non_null(dst);
    assert_non_null(want);
    f32_sources(src, maxn + 8, &r);
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        for (int off = 0; off < 4; off++) {
            int64_t n = lengths[li];
            const float *s = src + off;
            char *d = dst + (GUARD + off) * esz;
            memset(dst, 0xEE, (size_t)(maxn + 8 + 2 * GUARD) * (size_t)esz);
            for (int64_t i = 0; i < n; i++) fgi_store_f64(want + i * esz, dt, s[i]);
            if (dt == FGI_F32) memcpy(want, s, (size_t)n * 4);
            fn(d, s, n, dt);
            for (int64_t i = 0; i < n; i++) {
                bool ok = elem_nan(want, i, dt) ? elem_nan(d, i, dt)
                                                : elem_bits(d, i, dt) == elem_bits(want, i, dt);
                if (!ok) {
                    print_error("%s(%s) n=%lld off=%d: element %lld (from %a) got 0x%llx, "
                                "scalar 0x%llx\n",
                                name, tu_dtype_name(dt), (long long)n, off, (long long)i,
                                (double)s[i], (unsigned long long)elem_bits(d, i, dt),
                                (unsigned long long)elem_bits(want, i, dt));
                    fail();
                }
            }
            const unsigned char *g = (const unsigned char *)dst;
            for (size_t b = 0; b < (size_t)((GUARD + off) * esz); b++) assert_int_equal(g[b], 0xEE);
            g = (const unsigned char *)(d + n * esz);
            for (size_t b = 0; b < (size_t)(GUARD * esz); b++) assert_int_equal(g[b], 0xEE);
        }
    }
    free(src);
    free(dst);
    free(want);
}

static void test_bulk_generic(void **state)
{
    (void)state;
    const fgi_dtype dts[] = {FGI_F32, FGI_F16, FGI_BF16, FGI_F64};
    for (int i = 0; i < 4; i++) {
        check_bulk_to("fgi_to_f32_generic", fgi_to_f32_generic, dts[i]);
        check_bulk_from("fgi_from_f32_generic", fgi_from_f32_generic, dts[i]);
        check_bulk_to("fgi_to_f32", fgi_to_f32, dts[i]);
        check_bulk_from("fgi_from_f32", fgi_from_f32, dts[i]);
    }
}

static void test_bulk_avx2(void **state)
{
    (void)state;
    if (!cpu_has_avx2_set()) {
        print_message("[ skip ] CPU lacks AVX2/FMA/F16C\n");
        skip();
    }
    /* the AVX2 converters serve float16 and bfloat16 */
    const fgi_dtype dts[] = {FGI_F16, FGI_BF16};
    for (int i = 0; i < 2; i++) {
        check_bulk_to("fgi_to_f32_avx2", fgi_to_f32_avx2, dts[i]);
        check_bulk_from("fgi_from_f32_avx2", fgi_from_f32_avx2, dts[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f16_to_f32_all),   cmocka_unit_test(test_f32_to_f16_ties),
        cmocka_unit_test(test_f32_to_f16_random), cmocka_unit_test(test_bf16_all),
        cmocka_unit_test(test_f32_to_bf16_ties),  cmocka_unit_test(test_f32_to_bf16_random),
        cmocka_unit_test(test_bulk_generic),      cmocka_unit_test(test_bulk_avx2),
    };
    return cmocka_run_group_tests_name("dtype", tests, NULL, NULL);
}
