/* Deprecated kernel ids: an alias finds the graduated kernel through every
 * lookup by id, warns once per process, and refuses bad entries; every
 * alias listed in src/ops/aliases.def names an existing kernel. */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include "grad_test.h"
#include "ops/registry.h"

#define OLD "fast_gelu.cpu.custom.portable_v0"
#define NEW "fast_gelu.cpu.custom.generic_v1"

static int count_lines(const char *path, const char *needle)
{
    char *text = mt_read(path, NULL);
    int n = 0;
    for (const char *s = text ? strstr(text, needle) : NULL; s; s = strstr(s + 1, needle)) n++;
    free(text);
    return n;
}

static void test_listed_aliases_resolve(void **state)
{
    (void)state;
    int n = fgi_kernel_alias_count();
    for (int i = 0; i < n; i++) {
        const fgi_kernel_alias *a = fgi_kernel_alias_get(i);
        const fgi_kernel *k = fgi_kernel_find(a->new_id);
        if (!k) fail_msg("alias %s names %s, which is not a kernel", a->old_id, a->new_id);
        assert_int_equal(k->tier, FGI_TIER_STABLE);
        int ma, mi;
        assert_int_equal(fgi_grad_version_parse(a->removed, &ma, &mi), 0);
    }
    assert_null(fgi_kernel_alias_get(n));
}

static void test_alias_warns_once(void **state)
{
    (void)state;
    mt_repo dir;
    mt_repo_init(&dir);
    char log[400];
    snprintf(log, sizeof log, "%s/exp.log", dir.root);
    ST_OK(fg_exp_set_option("log_file", log));

    assert_null(fgi_kernel_find(OLD));
    ST_OK(fgi_kernel_alias_add(OLD, NEW, "0.1.0", "0.2.0"));
    const fgi_kernel *k = fgi_kernel_find(OLD);
    assert_non_null(k);
    assert_string_equal(k->id, NEW);
    assert_ptr_equal(fgi_kernel_find(OLD), k);
    /* the public lookups by id follow the alias */
    fg_exp_kernel_info info;
    size_t count = 0;
    ST_OK(fg_exp_get_op_info(OLD, &info, 1, &count));
    assert_int_equal(count, 1);
    assert_string_equal(info.id, NEW);
    ST_OK(fg_exp_force_kernel(OLD));
    ST_OK(fg_exp_force_kernel(NULL));
    ST_OK(fg_exp_set_denylist(OLD));
    ST_OK(fg_exp_set_denylist(NULL));
    ST_OK(fg_exp_set_option("log_file", "null"));
    assert_int_equal(count_lines(log, "kernel id '" OLD "' is deprecated"), 1);
    assert_int_equal(count_lines(log, "graduated to the stable tier as '" NEW "' in 0.1.0; the old id will be "
                                      "removed in 0.2.0"), 1);

    ST_ERR(fgi_kernel_alias_add(OLD, NEW, "0.1.0", "0.2.0"), FG_ERR_CONFLICT, "alias '" OLD "' exists already");
    ST_ERR(fgi_kernel_alias_add(NEW, "gelu.cpu.reference", "0.1.0", "0.2.0"), FG_ERR_CONFLICT, "is a kernel id");
    ST_ERR(fgi_kernel_alias_add("x.cpu.custom.v0", "no.such.kernel", "0.1.0", "0.2.0"), FG_ERR_NOT_FOUND,
           "alias target 'no.such.kernel' is not a kernel");
    ST_ERR(fgi_kernel_alias_add("x.cpu.custom.v0", NEW, "", "0.2.0"), FG_ERR_INVALID_ARG, "1..127 bytes");
    ST_ERR(fgi_kernel_alias_add(NULL, NEW, "0.1.0", "0.2.0"), FG_ERR_NULL, "required");
    mt_repo_free(&dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listed_aliases_resolve),
        cmocka_unit_test(test_alias_warns_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
