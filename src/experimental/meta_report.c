/* Reports on the metadata (Markdown, JSON, one self-contained HTML page)
 * and the default graduation view (the checklist). Reports are built from
 * the store's public read API only, and depend only on the document (no
 * clock), so the same document always gives the same bytes. */
#define FGI_META_PRIVATE
#include "experimental/metadata.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ graduation view */

static void item(fgi_meta_grad_report *r, const char *name, int passed, double score,
                 double weight, const char *details)
{
    if (r->n_items >= FGI_META_MAX_CHECKS) return;
    fgi_meta_check_item *it = &r->items[r->n_items++];
    snprintf(it->name, sizeof it->name, "%s", name);
    it->passed = passed;
    it->score = score;
    it->weight = weight;
    snprintf(it->details, sizeof it->details, "%s", details);
}

typedef struct speed {
    size_t n;
    double geo, min, max;
} speed;

static speed speedups(const fgi_meta_op *op)
{
    const fgi_meta_performance_tests *pt = &op->validation_info.performance_tests;
    speed s = {pt->n_baselines, 0, 0, 0};
    double logsum = 0;
    for (size_t i = 0; i < pt->n_baselines; i++) {
        double v = pt->baselines[i].speedup;
        logsum += log(v);
        if (i == 0 || v < s.min) s.min = v;
        if (i == 0 || v > s.max) s.max = v;
    }
    if (s.n) s.geo = exp(logsum / (double)s.n);
    return s;
}

void fgi_meta_default_criteria(const fgi_meta_op *op, fgi_meta_grad_report *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->kernel_id, sizeof r->kernel_id, "%s", op->kernel_id);
    snprintf(r->op_id, sizeof r->op_id, "%s", op->op_id);
    r->status = op->status;
    const fgi_meta_checklist *c = &op->graduation_tracking.checklist;
    const fgi_meta_accuracy_tests *at = &op->validation_info.accuracy_tests;
    char d[192];

    snprintf(d, sizeof d, "in experimental since %s; checklist.stable_period_met is %s",
             op->graduation_tracking.in_experimental_since, c->stable_period_met ? "true" : "false");
    item(r, "stable_period", c->stable_period_met, c->stable_period_met, 0.20, d);

    int acc = c->accuracy_passed && at->passed;
    size_t shapes = 0;
    for (size_t i = 0; i < at->n_coverage; i++) shapes += at->coverage[i].n_shapes;
    snprintf(d, sizeof d, "%s; %lld test cases, %zu shapes over %zu dtypes; last run %s",
             acc          ? "passed"
             : !at->last_run ? "not run"
             : at->passed ? "checklist.accuracy_passed is false"
                          : "last run failed",
             (long long)at->test_cases, shapes, at->n_coverage, at->last_run ? at->last_run : "never");
    item(r, "accuracy", acc, acc, 0.30, d);

    speed s = speedups(op);
    if (s.n)
        snprintf(d, sizeof d, "checklist.performance_passed is %s; %zu baselines, speedup "
                              "geomean %.2fx (min %.2fx, max %.2fx)",
                 c->performance_passed ? "true" : "false", s.n, s.geo, s.min, s.max);
    else
        snprintf(d, sizeof d, "checklist.performance_passed is %s; no baselines",
                 c->performance_passed ? "true" : "false");
    item(r, "performance", c->performance_passed, c->performance_passed, 0.25, d);

    snprintf(d, sizeof d, "checklist.multi_hardware_validated is %s; tested on %zu device(s)",
             c->multi_hardware_validated ? "true" : "false", op->hardware_support.n_tested_devices);
    item(r, "multi_hardware", c->multi_hardware_validated, c->multi_hardware_validated, 0.15, d);

    int cq = c->code_review_approved && c->documentation_complete;
    snprintf(d, sizeof d, "code review %s, documentation %s",
             c->code_review_approved ? "approved" : "pending",
             c->documentation_complete ? "complete" : "incomplete");
    item(r, "code_quality", cq, 0.5 * c->code_review_approved + 0.5 * c->documentation_complete,
         0.10, d);

    int all = 1;
    for (size_t i = 0; i < r->n_items; i++) {
        r->score += r->items[i].weight * r->items[i].score;
        all &= r->items[i].passed;
    }
    r->n_blocking_issues = op->graduation_tracking.n_blocking_issues;
    int status_ok = op->status == FGI_META_VALIDATED || op->status == FGI_META_GRADUATION_CANDIDATE;
    r->eligible = all && r->n_blocking_issues == 0 && status_ok;

    size_t len = 0;
    len += (size_t)snprintf(r->summary, sizeof r->summary, "%s", r->eligible ? "eligible" : "not eligible:");
    for (size_t i = 0; i < r->n_items && len < sizeof r->summary; i++)
        if (!r->items[i].passed)
            len += (size_t)snprintf(r->summary + len, sizeof r->summary - len, " %s fails;",
                                    r->items[i].name);
    if (r->n_blocking_issues && len < sizeof r->summary)
        len += (size_t)snprintf(r->summary + len, sizeof r->summary - len, " %zu blocking issue(s);",
                                r->n_blocking_issues);
    if (!status_ok && len < sizeof r->summary)
        snprintf(r->summary + len, sizeof r->summary - len, " status is %s",
                 fgi_meta_status_name(op->status));
    len = strlen(r->summary);
    if (len && r->summary[len - 1] == ';') r->summary[len - 1] = '\0';
}

/* ================================================================ collecting */

typedef struct row {
    const fgi_meta_op *op;
    fgi_meta_grad_report g;
    speed s;
} row;

static void release_rows(row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) fgi_meta_op_release(rows[i].op);
    free(rows);
}

static fg_status collect(fgi_meta_store *st, const char *const *keys, size_t n_keys, row **out,
                         size_t *n_out)
{
    fgi_meta_op_list all = {0};
    size_t n = n_keys;
    if (!keys) {
        FG_FORWARD(fgi_meta_query_ops(st, NULL, &all), "export_report");
        n = all.count;
    }
    row *rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows) {
        fgi_meta_op_list_release(&all);
        return FG_ERROR(FG_ERR_NO_MEMORY, "report rows");
    }
    fg_status s = FG_OK;
    for (size_t i = 0; i < n && s == FG_OK; i++) {
        if (keys) {
            s = keys[i] ? fgi_meta_get_op(st, keys[i], &rows[i].op)
                        : FG_ERROR(FG_ERR_NULL, "keys[%zu] is NULL", i);
        } else {
            rows[i].op = all.ops[i];
            all.ops[i] = NULL;
        }
        if (s == FG_OK) s = fgi_meta_check_graduation_eligibility(st, rows[i].op->kernel_id, &rows[i].g);
        if (s == FG_OK) rows[i].s = speedups(rows[i].op);
    }
    all.count = 0;
    fgi_meta_op_list_release(&all);
    if (s != FG_OK) {
        release_rows(rows, n);
        return fgi_error_push(s, "export_report");
    }
    *out = rows;
    *n_out = n;
    return FG_OK;
}

/* ================================================================ escaping */

static void md_text(fgi_mbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fgi_mbuf_puts(b, "\\|");
        else if (*s == '<') fgi_mbuf_puts(b, "&lt;");
        else if (*s == '>') fgi_mbuf_puts(b, "&gt;");
        else if (*s == '&') fgi_mbuf_puts(b, "&amp;");
        else if (*s == '`') fgi_mbuf_puts(b, "'");
        else if (*s == '\n' || *s == '\r') fgi_mbuf_putc(b, ' ');
        else fgi_mbuf_putc(b, *s);
    }
}

static void html_text(fgi_mbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fgi_mbuf_puts(b, "&amp;"); break;
        case '<': fgi_mbuf_puts(b, "&lt;"); break;
        case '>': fgi_mbuf_puts(b, "&gt;"); break;
        case '"': fgi_mbuf_puts(b, "&quot;"); break;
        case '\'': fgi_mbuf_puts(b, "&#39;"); break;
        default: fgi_mbuf_putc(b, *s);
        }
    }
}

static void shape_text(fgi_mbuf *b, const fgi_meta_baseline *bl)
{
    fgi_mbuf_putc(b, '[');
    for (size_t k = 0; k < bl->shape_len; k++)
        fgi_mbuf_printf(b, "%s%lld", k ? ", " : "", (long long)bl->shape[k]);
    fgi_mbuf_putc(b, ']');
}

/* ================================================================ Markdown */

static void markdown(fgi_mbuf *b, const row *rows, size_t n, const char *updated)
{
    fgi_mbuf_puts(b, "# Experimental kernels report\n\n");
    fgi_mbuf_printf(b, "Metadata version %s, last updated %s; %zu kernel(s).\n\n", FGI_META_VERSION,
                    updated, n);
    fgi_mbuf_puts(b, "| Kernel | Op | Category | Status | Group | Speedup (geomean) | Baselines "
                     "| Accuracy | Eligible | Score |\n");
    fgi_mbuf_puts(b, "|---|---|---|---|---|---:|---:|---|---|---:|\n");
    for (size_t i = 0; i < n; i++) {
        const fgi_meta_op *op = rows[i].op;
        const fgi_meta_accuracy_tests *at = &op->validation_info.accuracy_tests;
        fgi_mbuf_printf(b, "| `%s` | %s | %s | %s | %s | ", op->kernel_id, op->op_name,
                        fgi_meta_category_name(op->category), fgi_meta_status_name(op->status),
                        op->group[0] ? op->group : "-");
        if (rows[i].s.n) fgi_mbuf_printf(b, "%.2fx", rows[i].s.geo);
        else fgi_mbuf_puts(b, "-");
        fgi_mbuf_printf(b, " | %zu | %s (%lld cases) | %s | %.2f |\n", rows[i].s.n,
                        at->last_run ? (at->passed ? "passed" : "failed") : "not run",
                        (long long)at->test_cases, rows[i].g.eligible ? "yes" : "no", rows[i].g.score);
    }
    for (size_t i = 0; i < n; i++) {
        const fgi_meta_op *op = rows[i].op;
        const fgi_meta_grad_report *g = &rows[i].g;
        fgi_mbuf_printf(b, "\n## `%s`\n\n", op->kernel_id);
        fgi_mbuf_printf(b, "- op: %s (op_id `%s`), category %s, status %s\n", op->op_name,
                        op->op_id, fgi_meta_category_name(op->category),
                        fgi_meta_status_name(op->status));
        fgi_mbuf_puts(b, "- code: `");
        md_text(b, op->code_location.file_path);
        fgi_mbuf_printf(b, "` lines %lld-%lld", (long long)op->code_location.line_start,
                        (long long)op->code_location.line_end);
        if (op->code_location.commit_hash)
            fgi_mbuf_printf(b, " at %s", op->code_location.commit_hash);
        fgi_mbuf_puts(b, "\n- generated by: ");
        if (op->generation_info.generator_tool) {
            md_text(b, op->generation_info.generator_tool);
            if (op->generation_info.generator_version) {
                fgi_mbuf_putc(b, ' ');
                md_text(b, op->generation_info.generator_version);
            }
        } else {
            fgi_mbuf_puts(b, "hand-written");
        }
        fgi_mbuf_puts(b, "\n- tested devices: ");
        if (!op->hardware_support.n_tested_devices) fgi_mbuf_puts(b, "none");
        for (size_t k = 0; k < op->hardware_support.n_tested_devices; k++) {
            if (k) fgi_mbuf_puts(b, ", ");
            md_text(b, op->hardware_support.tested_devices[k]);
        }
        fgi_mbuf_printf(b, "\n\n### Graduation: %s (score %.2f)\n\n", g->eligible ? "eligible" : "not eligible",
                        g->score);
        fgi_mbuf_puts(b, "| Check | Passed | Score | Weight | Details |\n|---|---|---:|---:|---|\n");
        for (size_t k = 0; k < g->n_items; k++) {
            const fgi_meta_check_item *it = &g->items[k];
            fgi_mbuf_printf(b, "| %s | %s | %.2f | %.2f | ", it->name, it->passed ? "yes" : "no",
                            it->score, it->weight);
            md_text(b, it->details);
            fgi_mbuf_puts(b, " |\n");
        }
        const fgi_meta_performance_tests *pt = &op->validation_info.performance_tests;
        if (pt->n_baselines) {
            fgi_mbuf_puts(b, "\n### Performance baselines\n\n| Device | Shape | Dtype | Speedup | "
                             "Memory overhead (MB) | Reference | Measured |\n"
                             "|---|---|---|---:|---:|---|---|\n");
            for (size_t k = 0; k < pt->n_baselines; k++) {
                const fgi_meta_baseline *bl = &pt->baselines[k];
                fgi_mbuf_puts(b, "| ");
                md_text(b, bl->device);
                fgi_mbuf_puts(b, " | ");
                shape_text(b, bl);
                fgi_mbuf_printf(b, " | %s | %.2fx | %.2f | ", bl->dtype, bl->speedup,
                                bl->memory_overhead);
                md_text(b, bl->reference_impl);
                fgi_mbuf_printf(b, " | %s |\n", bl->timestamp);
            }
        }
        if (op->graduation_tracking.n_blocking_issues) {
            fgi_mbuf_puts(b, "\n### Blocking issues\n\n");
            for (size_t k = 0; k < op->graduation_tracking.n_blocking_issues; k++) {
                fgi_mbuf_puts(b, "- ");
                md_text(b, op->graduation_tracking.blocking_issues[k]);
                fgi_mbuf_putc(b, '\n');
            }
        }
    }
}

/* ================================================================ JSON */

static fg_status json_report(fgi_mbuf *b, const row *rows, size_t n, const char *updated)
{
    json_t *root = json_object(), *list = json_array();
    if (!root || !list) {
        json_decref(root);
        json_decref(list);
        return FG_ERROR(FG_ERR_NO_MEMORY, "report");
    }
    json_object_set_new(root, "kernels", list);
    json_object_set_new(root, "last_updated", json_string(updated));
    json_object_set_new(root, "version", json_string(FGI_META_VERSION));
    fg_status st = FG_OK;
    for (size_t i = 0; i < n && st == FG_OK; i++) {
        char *text = NULL;
        st = fgi_meta_op_to_json(rows[i].op, &text);
        if (st != FG_OK) break;
        json_t *k = json_loads(text, 0, NULL);
        free(text);
        const fgi_meta_grad_report *g = &rows[i].g;
        json_t *grad = json_object(), *checks = json_array(), *sp = json_object();
        if (!k || !grad || !checks || !sp) {
            json_decref(k);
            json_decref(grad);
            json_decref(checks);
            json_decref(sp);
            st = FG_ERROR(FG_ERR_NO_MEMORY, "report entry");
            break;
        }
        for (size_t c = 0; c < g->n_items; c++) {
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(g->items[c].name));
            json_object_set_new(o, "passed", json_boolean(g->items[c].passed));
            json_object_set_new(o, "score", json_real(g->items[c].score));
            json_object_set_new(o, "weight", json_real(g->items[c].weight));
            json_object_set_new(o, "details", json_string(g->items[c].details));
            json_array_append_new(checks, o);
        }
        json_object_set_new(grad, "eligible", json_boolean(g->eligible));
        json_object_set_new(grad, "score", json_real(g->score));
        json_object_set_new(grad, "summary", json_string(g->summary));
        json_object_set_new(grad, "checks", checks);
        json_object_set_new(grad, "blocking_issues", json_integer((json_int_t)g->n_blocking_issues));
        json_object_set_new(sp, "baselines", json_integer((json_int_t)rows[i].s.n));
        json_object_set_new(sp, "geomean", rows[i].s.n ? json_real(rows[i].s.geo) : json_null());
        json_object_set_new(sp, "min", rows[i].s.n ? json_real(rows[i].s.min) : json_null());
        json_object_set_new(sp, "max", rows[i].s.n ? json_real(rows[i].s.max) : json_null());
        json_object_set_new(k, "kernel_id", json_string(rows[i].op->kernel_id));
        json_object_set_new(k, "graduation", grad);
        json_object_set_new(k, "speedup", sp);
        json_array_append_new(list, k);
    }
    if (st == FG_OK) {
        fgi_mbuf_json(b, root, 0);
        fgi_mbuf_putc(b, '\n');
    }
    json_decref(root);
    return st;
}

/* ================================================================ HTML */

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<title>Experimental kernels report</title>\n<style>\n"
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n"
    "table{border-collapse:collapse;margin:1em 0}\n"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "th{background:#f0f0f0;cursor:pointer;user-select:none}\n"
    "th[aria-sort=ascending]::after{content:' \\25B2'}\n"
    "th[aria-sort=descending]::after{content:' \\25BC'}\n"
    "code{background:#f6f6f6;padding:0 3px}\n"
    "details{margin:.5em 0}\n"
    ".yes{color:#176f2c}.no{color:#a11}\n"
    "</style>\n</head>\n<body>\n";

/* Click a header to sort by that column; numbers sort by data-v. */
static const char html_script[] =
    "<script>\n"
    "(function(){\n"
    "  var t=document.getElementById('kernels');\n"
    "  var hs=t.tHead.rows[0].cells;\n"
    "  for(var i=0;i<hs.length;i++)(function(c,h){\n"
    "    h.addEventListener('click',function(){\n"
    "      var asc=h.getAttribute('aria-sort')!=='ascending';\n"
    "      for(var j=0;j<hs.length;j++)hs[j].removeAttribute('aria-sort');\n"
    "      h.setAttribute('aria-sort',asc?'ascending':'descending');\n"
    "      var num=h.getAttribute('data-type')==='num';\n"
    "      var b=t.tBodies[0],rs=Array.prototype.slice.call(b.rows);\n"
    "      rs.sort(function(x,y){\n"
    "        var p=x.cells[c],q=y.cells[c];\n"
    "        var u=p.getAttribute('data-v'),v=q.getAttribute('data-v');\n"
    "        if(u===null)u=p.textContent;if(v===null)v=q.textContent;\n"
    "        var r=num?(parseFloat(u)-parseFloat(v)):(u<v?-1:u>v?1:0);\n"
    "        if(isNaN(r))r=isNaN(parseFloat(u))?1:-1;\n"
    "        return asc?r:-r;});\n"
    "      rs.forEach(function(r){b.appendChild(r);});});\n"
    "  })(i,hs[i]);\n"
    "})();\n"
    "</script>\n";

#define CHART_MAX 500

static void svg_chart(fgi_mbuf *b, const row *rows, size_t n)
{
    size_t shown = n < CHART_MAX ? n : CHART_MAX;
    double top = 1.0;
    for (size_t i = 0; i < shown; i++)
        if (rows[i].s.n && rows[i].s.max > top) top = rows[i].s.max;
    top *= 1.1;
    const int label_w = 300, plot_w = 500, bar_h = 18, gap = 6, pad = 30;
    int height = pad * 2 + (int)shown * (bar_h + gap);
    int width = label_w + plot_w + 120;
    fgi_mbuf_printf(b,
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Speedup per kernel\" "
                    "font-family=\"sans-serif\" font-size=\"12\">\n",
                    width, height, width, height);
    fgi_mbuf_puts(b, "<title>Speedup per kernel: geometric mean over its baselines (bar), "
                     "min to max (line)</title>\n");
    double x1 = label_w + plot_w * (1.0 / top);
    fgi_mbuf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", label_w,
                    pad - 10, label_w, height - pad + 10);
    fgi_mbuf_printf(b,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\" "
                    "stroke-dasharray=\"4 3\"/>\n<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
                    "1.0x (reference)</text>\n",
                    x1, pad - 10, x1, height - pad + 10, x1, pad - 14);
    for (size_t i = 0; i < shown; i++) {
        const row *r = &rows[i];
        int y = pad + (int)i * (bar_h + gap);
        fgi_mbuf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label_w - 6,
                        y + bar_h - 5);
        html_text(b, r->op->kernel_id);
        fgi_mbuf_puts(b, "</text>\n");
        if (!r->s.n) {
            fgi_mbuf_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"#777\">no baselines</text>\n",
                            label_w + 6, y + bar_h - 5);
            continue;
        }
        double w = plot_w * (r->s.geo / top);
        fgi_mbuf_printf(b,
                        "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                        "<title>",
                        label_w, y, w, bar_h, r->s.geo >= 1.0 ? "#3c8d4f" : "#c0504d");
        html_text(b, r->op->kernel_id);
        fgi_mbuf_printf(b, ": geomean %.2fx, min %.2fx, max %.2fx over %zu baseline(s)</title>"
                           "</rect>\n",
                        r->s.geo, r->s.min, r->s.max, r->s.n);
        double xa = label_w + plot_w * (r->s.min / top), xb = label_w + plot_w * (r->s.max / top);
        fgi_mbuf_printf(b,
                        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#222\"/>\n",
                        xa, y + bar_h / 2, xb, y + bar_h / 2);
        fgi_mbuf_printf(b, "<text x=\"%.1f\" y=\"%d\">%.2fx</text>\n",
                        (xb > label_w + w ? xb : label_w + w) + 6, y + bar_h - 5, r->s.geo);
    }
    fgi_mbuf_puts(b, "</svg>\n");
    if (shown < n)
        fgi_mbuf_printf(b, "<p>The chart shows the first %zu of %zu kernels (by kernel id); the "
                           "table lists all.</p>\n",
                        shown, n);
}

static void html(fgi_mbuf *b, const row *rows, size_t n, const char *updated)
{
    fgi_mbuf_puts(b, html_head);
    fgi_mbuf_puts(b, "<h1>Experimental kernels report</h1>\n");
    fgi_mbuf_printf(b, "<p>Metadata version %s, last updated %s; %zu kernel(s).</p>\n",
                    FGI_META_VERSION, updated, n);
    fgi_mbuf_puts(b, "<h2>Speedup per kernel</h2>\n");
    svg_chart(b, rows, n);
    fgi_mbuf_puts(b, "<h2>Kernels</h2>\n<p>Click a column header to sort.</p>\n"
                     "<table id=\"kernels\">\n<thead><tr><th>Kernel</th><th>Op</th>"
                     "<th>Category</th><th>Status</th><th>Group</th>"
                     "<th data-type=\"num\">Speedup (geomean)</th>"
                     "<th data-type=\"num\">Baselines</th><th>Accuracy</th>"
                     "<th data-type=\"num\">Test cases</th><th>Eligible</th>"
                     "<th data-type=\"num\">Score</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const fgi_meta_op *op = rows[i].op;
        const fgi_meta_accuracy_tests *at = &op->validation_info.accuracy_tests;
        fgi_mbuf_puts(b, "<tr><td><code>");
        html_text(b, op->kernel_id);
        fgi_mbuf_puts(b, "</code></td><td>");
        html_text(b, op->op_name);
        fgi_mbuf_printf(b, "</td><td>%s</td><td data-v=\"%d %s\">%s</td><td>%s</td>",
                        fgi_meta_category_name(op->category), (int)op->status,
                        fgi_meta_status_name(op->status), fgi_meta_status_name(op->status),
                        op->group[0] ? op->group : "-");
        if (rows[i].s.n)
            fgi_mbuf_printf(b, "<td class=\"n\" data-v=\"%.6g\">%.2fx</td>", rows[i].s.geo,
                            rows[i].s.geo);
        else
            fgi_mbuf_puts(b, "<td class=\"n\" data-v=\"\">-</td>");
        fgi_mbuf_printf(b,
                        "<td class=\"n\">%zu</td><td>%s</td><td class=\"n\">%lld</td>"
                        "<td class=\"%s\">%s</td><td class=\"n\">%.2f</td></tr>\n",
                        rows[i].s.n, at->last_run ? (at->passed ? "passed" : "failed") : "not run",
                        (long long)at->test_cases, rows[i].g.eligible ? "yes" : "no",
                        rows[i].g.eligible ? "yes" : "no", rows[i].g.score);
    }
    fgi_mbuf_puts(b, "</tbody>\n</table>\n<h2>Details</h2>\n");
    for (size_t i = 0; i < n; i++) {
        const fgi_meta_op *op = rows[i].op;
        const fgi_meta_grad_report *g = &rows[i].g;
        fgi_mbuf_puts(b, "<details><summary><code>");
        html_text(b, op->kernel_id);
        fgi_mbuf_printf(b, "</code>: %s</summary>\n<p>op_id <code>%s</code>; code <code>",
                        g->eligible ? "eligible" : "not eligible", op->op_id);
        html_text(b, op->code_location.file_path);
        fgi_mbuf_printf(b, "</code> lines %lld-%lld</p>\n", (long long)op->code_location.line_start,
                        (long long)op->code_location.line_end);
        fgi_mbuf_puts(b, "<table><tr><th>Check</th><th>Passed</th><th>Score</th><th>Weight</th>"
                         "<th>Details</th></tr>\n");
        for (size_t k = 0; k < g->n_items; k++) {
            const fgi_meta_check_item *it = &g->items[k];
            fgi_mbuf_printf(b, "<tr><td>%s</td><td class=\"%s\">%s</td><td class=\"n\">%.2f</td>"
                               "<td class=\"n\">%.2f</td><td>",
                            it->name, it->passed ? "yes" : "no", it->passed ? "yes" : "no",
                            it->score, it->weight);
            html_text(b, it->details);
            fgi_mbuf_puts(b, "</td></tr>\n");
        }
        fgi_mbuf_puts(b, "</table>\n");
        const fgi_meta_performance_tests *pt = &op->validation_info.performance_tests;
        if (pt->n_baselines) {
            fgi_mbuf_puts(b, "<table><tr><th>Device</th><th>Shape</th><th>Dtype</th><th>Speedup"
                             "</th><th>Memory overhead (MB)</th><th>Reference</th><th>Measured"
                             "</th></tr>\n");
            for (size_t k = 0; k < pt->n_baselines; k++) {
                const fgi_meta_baseline *bl = &pt->baselines[k];
                fgi_mbuf_puts(b, "<tr><td>");
                html_text(b, bl->device);
                fgi_mbuf_puts(b, "</td><td>");
                shape_text(b, bl);
                fgi_mbuf_printf(b, "</td><td>%s</td><td class=\"n\">%.2fx</td><td class=\"n\">"
                                   "%.2f</td><td>",
                                bl->dtype, bl->speedup, bl->memory_overhead);
                html_text(b, bl->reference_impl);
                fgi_mbuf_printf(b, "</td><td>%s</td></tr>\n", bl->timestamp);
            }
            fgi_mbuf_puts(b, "</table>\n");
        }
        if (op->graduation_tracking.n_blocking_issues) {
            fgi_mbuf_puts(b, "<p>Blocking issues:</p><ul>\n");
            for (size_t k = 0; k < op->graduation_tracking.n_blocking_issues; k++) {
                fgi_mbuf_puts(b, "<li>");
                html_text(b, op->graduation_tracking.blocking_issues[k]);
                fgi_mbuf_puts(b, "</li>\n");
            }
            fgi_mbuf_puts(b, "</ul>\n");
        }
        fgi_mbuf_puts(b, "</details>\n");
    }
    fgi_mbuf_puts(b, html_script);
    fgi_mbuf_puts(b, "</body>\n</html>\n");
}

/* ================================================================ entry point */

fg_status fgi_meta_export_report(fgi_meta_store *st, const char *const *keys, size_t n_keys,
                                 fgi_meta_format format, char **out, size_t *len)
{
    fgi_error_clear();
    FG_RETURN_IF(!st || !out, FG_ERR_NULL, "store or out is NULL");
    *out = NULL;
    if (len) *len = 0;
    FG_RETURN_IF(format != FGI_META_FORMAT_MARKDOWN && format != FGI_META_FORMAT_JSON &&
                     format != FGI_META_FORMAT_HTML,
                 FG_ERR_INVALID_ARG, "unknown report format %d (markdown 0, json 1, html 2)",
                 (int)format);
    char updated[48];
    FG_FORWARD(fgi_meta_last_updated(st, updated, sizeof updated), "fgi_meta_export_report");
    row *rows = NULL;
    size_t n = 0;
    FG_FORWARD(collect(st, keys, n_keys, &rows, &n), "fgi_meta_export_report");
    fgi_mbuf b = {0};
    fg_status s = FG_OK;
    if (format == FGI_META_FORMAT_MARKDOWN) markdown(&b, rows, n, updated);
    else if (format == FGI_META_FORMAT_JSON) s = json_report(&b, rows, n, updated);
    else html(&b, rows, n, updated);
    release_rows(rows, n);
    if (s == FG_OK && b.oom) s = FG_ERROR(FG_ERR_NO_MEMORY, "report text");
    if (s != FG_OK) {
        free(b.data);
        return fgi_error_push(s, "fgi_meta_export_report");
    }
    *out = b.data ? b.data : calloc(1, 1);
    if (len) *len = b.len;
    return *out ? FG_OK : FG_ERROR(FG_ERR_NO_MEMORY, "report");
}
