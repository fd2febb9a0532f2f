/* flag-gems-exp: choosing the kernels a command works on (validate,
 * benchmark, pipeline) from "<op|kernel|--all>", and the machine's device
 * name in metadata. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "ops/registry.h"

int cli_select_kernels(const cli_ctx *ctx, const cli_args *a, const fgi_kernel ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int all = cli_flag(a, "all");
    if (all == (a->npos > 0))
        return cli_usage(ctx, "e.g. 'softmax', 'softmax.cpu.custom.rows_le_1024_v1' or --all",
                         all ? "give an op or kernel, or --all, not both"
                             : "name an op or a kernel, or pass --all");
    int count = 0;
    const fgi_kernel *const *ks = fgi_kernels(&count);
    const fgi_kernel **sel = calloc((size_t)count + 1, sizeof *sel);
    if (!sel) return cli_fail(ctx, NULL, "out of memory");
    const char *name = all ? NULL : a->pos[0];
    int op_known = 0;
    for (int i = 0; i < count; i++) {
        const fgi_kernel *k = ks[i];
        if (name && strcmp(k->id, name) == 0) {
            sel[0] = k;
            *n = 1;
            break;
        }
        int of_op = !name || strcmp(fgi_op_name(k->op), name) == 0;
        op_known |= of_op;
        if (of_op && k->tier == FGI_TIER_EXPERIMENTAL) sel[(*n)++] = k;
    }
    if (*n == 0) {
        free(sel);
        if (all) return cli_fail(ctx, NULL, "this build has no experimental kernels");
        if (op_known)
            return cli_usage(ctx, "name one of its kernels ('flag-gems-exp info <op>' lists them)",
                             "op '%s' has no experimental kernels in this build", name);
        return cli_usage(ctx, "run 'flag-gems-exp info <op>' for an op's kernels",
                         "'%s' is neither an op nor a kernel id of this build", name);
    }
    *out = sel;
    return CLI_OK;
}

void cli_device_name(char *buf, size_t size)
{
    /* "CPU-<model>", at most 64 bytes (the metadata's device names); the
     * graduation policy counts "CPU" as the vendor. */
    char b[65];
    snprintf(b, sizeof b, "CPU-%s", fgi_cpu_model());
    size_t l = strlen(b);
    while (l && b[l - 1] == ' ') b[--l] = '\0';
    snprintf(buf, size, "%s", b);
}

int cli_parse_dtypes(const cli_ctx *ctx, const char *s, unsigned *mask)
{
    *mask = 0;
    if (!s) return CLI_OK;
    static const char *const names[][2] = {{"float32", "f32"}, {"float16", "f16"}, {"bfloat16", "bf16"}};
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int i = 0;
        while (i < 3 && strcmp(t, names[i][0]) && strcmp(t, names[i][1])) i++;
        if (i == 3)
            return cli_usage(ctx, "use float32, float16, bfloat16 (or f32, f16, bf16), comma-separated",
                             "unknown dtype '%s'", t);
        *mask |= 1u << i; /* FGI_F32, FGI_F16, FGI_BF16 are 0, 1, 2 */
    }
    return CLI_OK;
}

/* Adds this machine to tested_devices of a kernel that passed. */
fg_status cli_add_tested_device(fgi_meta_store *store, const char *kid)
{
    char dev[80];
    cli_device_name(dev, sizeof dev);
    const fgi_meta_op *op;
    fg_status st = fgi_meta_get_op(store, kid, &op);
    if (st != FG_OK) return st;
    json_t *devs = json_array();
    int present = 0;
    for (size_t i = 0; i < op->hardware_support.n_tested_devices; i++) {
        present |= strcmp(op->hardware_support.tested_devices[i], dev) == 0;
        json_array_append_new(devs, json_string(op->hardware_support.tested_devices[i]));
    }
    fgi_meta_op_release(op);
    if (present) {
        json_decref(devs);
        return FG_OK;
    }
    json_array_append_new(devs, json_string(dev));
    json_t *obj = json_pack("{s:{s:o}}", "hardware_support", "tested_devices", devs);
    char *patch = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    st = patch ? fgi_meta_update_op(store, kid, patch) : FG_ERR_NO_MEMORY;
    free(patch);
    return st;
}
