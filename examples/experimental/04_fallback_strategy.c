/* 04_fallback_strategy: what each dispatch strategy does when an
 * experimental kernel fails. Fault injection (also FLAGGEMS_EXP_FAULT =
 * "<kernel id>=error|nan") makes the experimental softmax kernel fail:
 *   safe        falls back to the stable kernel
 *   aggressive  skips stable, falls back to the reference kernel
 *   off         returns the failure
 * A "nan" fault lets the kernel run and then fills its output with NaN:
 * only output validation (validate_output = "nan") notices that.
 * Build: cc 04_fallback_strategy.c -I include -L build/lib -lflaggems */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define KERNEL "softmax.cpu.custom.rows_le_1024_v1"

static float x[8 * 100], y[8 * 100];
static int64_t shape[2] = {8, 100};
static DLTensor X = {.data = x, .device = {kDLCPU, 0}, .ndim = 2, .dtype = {kDLFloat, 32, 1}, .shape = shape};
static DLTensor Y = {.data = y, .device = {kDLCPU, 0}, .ndim = 2, .dtype = {kDLFloat, 32, 1}, .shape = shape};

/* Runs softmax under a configuration; returns 1 when the outcome is not the
 * documented one. */
static int show(const char *strategy, const char *fault, int validate, const char *want)
{
    char cfg[128];
    snprintf(cfg, sizeof cfg, "{\"dispatch_strategy\": \"%s\", \"validate_output\": \"%s\"}", strategy,
             validate ? "nan" : "off");
    if (fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, cfg) != FG_OK) return 1;
    fg_exp_set_fault(KERNEL, fault);
    memset(y, 0, sizeof y);
    fg_status s = fg_softmax(&Y, &X, -1);
    char got[200];
    if (s != FG_OK)
        snprintf(got, sizeof got, "error %s", fg_status_name(s));
    else
        snprintf(got, sizeof got, "%s%s", fg_last_kernel(), isnan(y[0]) ? " (output NaN)" : "");
    printf("%-10s fault %-5s validate %-3s -> %s\n", strategy, fault, validate ? "nan" : "off", got);
    fg_exp_set_fault(KERNEL, NULL);
    fg_exp_cache_invalidate(NULL); /* forget decisions and quarantines */
    return strstr(got, want) ? 0 : 1;
}

int main(void)
{
    for (int i = 0; i < 800; i++) x[i] = (float)((i * 13) % 50) / 10.0f;
    /* the custom kernel needs AVX2+FMA+F16C: otherwise there is nothing to show */
    fg_exp_kernel_info info;
    size_t n;
    if (fg_exp_get_op_info(KERNEL, &info, 1, &n) != FG_OK) return 1;
    if (!info.available) {
        printf("%s needs AVX2, FMA and F16C; nothing to show on this CPU\n", KERNEL);
        return 0;
    }
    int bad = 0;
    bad |= show("safe", "none", 0, KERNEL);
    bad |= show("safe", "error", 0, "softmax.cpu.stable");
    bad |= show("aggressive", "error", 0, "softmax.cpu.reference");
    bad |= show("off", "error", 0, "error FG_ERR_KERNEL");
    bad |= show("safe", "nan", 0, "(output NaN)");
    bad |= show("safe", "nan", 1, "softmax.cpu.stable");
    bad |= show("off", "nan", 1, "error FG_ERR_KERNEL");

    fg_exp_statistics st;
    fg_exp_stats(&st);
    printf("\nfallbacks: %llu after errors, %llu after invalid output; %llu failures returned\n",
           (unsigned long long)st.fallbacks_error, (unsigned long long)st.fallbacks_invalid,
           (unsigned long long)st.failures_returned);
    fg_exp_reset_config();
    return bad;
}
