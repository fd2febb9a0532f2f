/* The template engine (template.h). A template is parsed once into a flat
 * list of tokens; block tokens know the index of their {{#else}} and their
 * closing tag, so rendering is a walk over index ranges. */
#include "template.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "strbuf.h"

#define MAX_DEPTH 32
#define MAX_NAME 64

enum { T_TEXT, T_VAR, T_IF, T_ELSE, T_EACH, T_END };

typedef struct tok {
    int kind;
    size_t off, len;  /* T_TEXT: the text */
    char name[MAX_NAME];
    bool neg;         /* {{#if !name}} */
    int line;
    size_t els, end;  /* T_IF: index of T_ELSE (or end), of T_END; T_EACH: end */
} tok;

struct fgc_tmpl {
    char *text;
    char name[128];
    tok *toks;
    size_t n, cap;
};

static fg_status push(fgc_tmpl *t, tok k)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        tok *p = realloc(t->toks, cap * sizeof *p);
        FG_RETURN_IF(!p, FG_ERR_NO_MEMORY, "template %s: token list", t->name);
        t->toks = p;
        t->cap = cap;
    }
    t->toks[t->n++] = k;
    return FG_OK;
}

static int line_of(const char *text, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++) line += text[i] == '\n';
    return line;
}

static bool valid_name(const char *s)
{
    if (!strcmp(s, ".") || !strcmp(s, "@index")) return true;
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_')) return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_')) return false;
    return true;
}

/* Copies the trimmed tag argument after `skip` bytes into name. */
static fg_status tag_name(fgc_tmpl *t, const char *tag, size_t len, size_t skip, int line, tok *k)
{
    const char *s = tag + skip, *e = tag + len;
    while (s < e && isspace((unsigned char)*s)) s++;
    while (e > s && isspace((unsigned char)e[-1])) e--;
    if (s < e && *s == '!' && k->kind == T_IF) {
        k->neg = true;
        s++;
    }
    FG_RETURN_IF((size_t)(e - s) >= MAX_NAME, FG_ERR_PARSE, "%s:%d: name longer than %d bytes", t->name, line,
                 MAX_NAME - 1);
    memcpy(k->name, s, (size_t)(e - s));
    k->name[e - s] = '\0';
    FG_RETURN_IF(!valid_name(k->name), FG_ERR_PARSE, "%s:%d: bad name '%s' in {{%.*s}}", t->name, line, k->name,
                 (int)len, tag);
    return FG_OK;
}

static bool starts(const char *tag, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && !memcmp(tag, word, n) && (len == n || isspace((unsigned char)tag[n]));
}

/* A block tag alone on its line: the line goes entirely. Trims the
 * indentation from the preceding text token and returns where the text
 * after the tag's line starts (or tag_end when the tag is not alone). */
static size_t standalone(fgc_tmpl *t, size_t tag_start, size_t tag_end)
{
    const char *s = t->text;
    size_t a = tag_start;
    while (a > 0 && (s[a - 1] == ' ' || s[a - 1] == '\t')) a--;
    if (a > 0 && s[a - 1] != '\n') return tag_end;
    size_t b = tag_end;
    while (s[b] == ' ' || s[b] == '\t' || s[b] == '\r') b++;
    if (s[b] != '\n' && s[b] != '\0') return tag_end;
    if (t->n > 0 && t->toks[t->n - 1].kind == T_TEXT && t->toks[t->n - 1].off + t->toks[t->n - 1].len == tag_start)
        t->toks[t->n - 1].len -= tag_start - a;
    return s[b] == '\n' ? b + 1 : b;
}

static fg_status tokenize(fgc_tmpl *t)
{
    const char *s = t->text;
    size_t i = 0, len = strlen(s);
    size_t stack[MAX_DEPTH];
    int depth = 0;
    while (i < len) {
        const char *open = strstr(s + i, "{{");
        size_t o = open ? (size_t)(open - s) : len;
        if (o > i) FG_FORWARD(push(t, (tok){.kind = T_TEXT, .off = i, .len = o - i}), "template %s", t->name);
        if (!open) break;
        int line = line_of(s, o);
        const char *close = strstr(open + 2, "}}");
        FG_RETURN_IF(!close, FG_ERR_PARSE, "%s:%d: '{{' without '}}'", t->name, line);
        const char *tag = open + 2;
        size_t tlen = (size_t)(close - tag), end = (size_t)(close - s) + 2;
        while (tlen && isspace((unsigned char)*tag)) tag++, tlen--;
        tok k = {.line = line};
        bool block = true;
        if (tlen && tag[0] == '!') {
            i = standalone(t, o, end);
            continue;
        } else if (starts(tag, tlen, "#if")) {
            k.kind = T_IF;
            FG_FORWARD(tag_name(t, tag, tlen, 3, line, &k), "template %s", t->name);
        } else if (starts(tag, tlen, "#each")) {
            k.kind = T_EACH;
            FG_FORWARD(tag_name(t, tag, tlen, 5, line, &k), "template %s", t->name);
        } else if (starts(tag, tlen, "#else")) {
            k.kind = T_ELSE;
        } else if (starts(tag, tlen, "/if") || starts(tag, tlen, "/each")) {
            k.kind = T_END;
            snprintf(k.name, sizeof k.name, "%s", tag[1] == 'i' ? "if" : "each");
        } else {
            FG_RETURN_IF(tlen && (tag[0] == '#' || tag[0] == '/'), FG_ERR_PARSE, "%s:%d: unknown block tag {{%.*s}}",
                         t->name, line, (int)tlen, tag);
            k.kind = T_VAR;
            block = false;
            FG_FORWARD(tag_name(t, tag, tlen, 0, line, &k), "template %s", t->name);
        }
        i = block ? standalone(t, o, end) : end;
        size_t idx = t->n;
        FG_FORWARD(push(t, k), "template %s", t->name);
        if (k.kind == T_IF || k.kind == T_EACH) {
            FG_RETURN_IF(depth == MAX_DEPTH, FG_ERR_PARSE, "%s:%d: blocks nested deeper than %d", t->name, line,
                         MAX_DEPTH);
            t->toks[idx].els = (size_t)-1;
            stack[depth++] = idx;
        } else if (k.kind == T_ELSE) {
            FG_RETURN_IF(depth == 0 || t->toks[stack[depth - 1]].kind != T_IF, FG_ERR_PARSE,
                         "%s:%d: {{#else}} outside {{#if}}", t->name, line);
            tok *b = &t->toks[stack[depth - 1]];
            FG_RETURN_IF(b->els != (size_t)-1, FG_ERR_PARSE, "%s:%d: second {{#else}} in the {{#if}} of line %d",
                         t->name, line, b->line);
            b->els = idx;
        } else if (k.kind == T_END) {
            FG_RETURN_IF(depth == 0, FG_ERR_PARSE, "%s:%d: {{/%s}} without an open block", t->name, line, k.name);
            tok *b = &t->toks[stack[--depth]];
            bool match = (b->kind == T_IF) == !strcmp(k.name, "if");
            FG_RETURN_IF(!match, FG_ERR_PARSE, "%s:%d: {{/%s}} closes the {{#%s}} of line %d", t->name, line, k.name,
                         b->kind == T_IF ? "if" : "each", b->line);
            b->end = idx;
            if (b->els == (size_t)-1) b->els = idx;
        }
    }
    FG_RETURN_IF(depth > 0, FG_ERR_PARSE, "%s:%d: {{#%s %s}} is never closed", t->name, t->toks[stack[depth - 1]].line,
                 t->toks[stack[depth - 1]].kind == T_IF ? "if" : "each", t->toks[stack[depth - 1]].name);
    return FG_OK;
}

fg_status fgc_tmpl_parse(const char *text, const char *name, fgc_tmpl **out)
{
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!text || !name, FG_ERR_NULL, "template text and name are required");
    fgc_tmpl *t = calloc(1, sizeof *t);
    FG_RETURN_IF(!t, FG_ERR_NO_MEMORY, "template %s", name);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->text = strdup(text);
    fg_status s = t->text ? tokenize(t) : FG_ERROR(FG_ERR_NO_MEMORY, "template %s", name);
    if (s != FG_OK) {
        fgc_tmpl_free(t);
        return s;
    }
    *out = t;
    return FG_OK;
}

void fgc_tmpl_free(fgc_tmpl *t)
{
    if (!t) return;
    free(t->text);
    free(t->toks);
    free(t);
}

/* ---------------------------------------------------------------- render */

typedef struct scope {
    const json_t *ctx;
    const json_t *item[MAX_DEPTH];
    size_t index[MAX_DEPTH];
    int depth;
} scope;

/* The value of name, or NULL when unknown; *idx gets @index. */
static const json_t *lookup(const scope *sc, const char *name, long long *idx)
{
    if (!strcmp(name, "@index")) {
        *idx = sc->depth ? (long long)sc->index[sc->depth - 1] : -1;
        return NULL;
    }
    if (!strcmp(name, ".")) return sc->depth ? sc->item[sc->depth - 1] : sc->ctx;
    for (int d = sc->depth - 1; d >= 0; d--)
        if (json_is_object(sc->item[d])) {
            const json_t *v = json_object_get(sc->item[d], name);
            if (v) return v;
        }
    return json_object_get(sc->ctx, name);
}

static bool truthy(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_TRUE:
        return true;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_OBJECT:
        return json_object_size(v) > 0;
    default:
        return false;
    }
}

static fg_status render(const fgc_tmpl *t, size_t a, size_t b, scope *sc, fgc_strbuf *o)
{
    for (size_t i = a; i < b; i++) {
        const tok *k = &t->toks[i];
        switch (k->kind) {
        case T_TEXT:
            fgc_strbuf_putn(o, t->text + k->off, k->len);
            break;
        case T_VAR: {
            long long idx = -1;
            const json_t *v = lookup(sc, k->name, &idx);
            if (!strcmp(k->name, "@index")) {
                FG_RETURN_IF(idx < 0, FG_ERR_INVALID_ARG, "%s:%d: {{@index}} outside {{#each}}", t->name, k->line);
                fgc_strbuf_printf(o, "%lld", idx);
                break;
            }
            FG_RETURN_IF(!v, FG_ERR_INVALID_ARG, "%s:%d: unknown name '%s'", t->name, k->line, k->name);
            if (json_is_string(v))
                fgc_strbuf_puts(o, json_string_value(v));
            else if (json_is_integer(v))
                fgc_strbuf_printf(o, "%lld", (long long)json_integer_value(v));
            else if (json_is_real(v))
                fgc_strbuf_printf(o, "%.17g", json_real_value(v));
            else if (json_is_boolean(v))
                fgc_strbuf_puts(o, json_is_true(v) ? "1" : "0");
            else
                return FG_ERROR(FG_ERR_INVALID_ARG, "%s:%d: '%s' is not a string, number or boolean", t->name,
                                k->line, k->name);
            break;
        }
        case T_IF: {
            long long idx = -1;
            const json_t *v = lookup(sc, k->name, &idx);
            bool on = (v && truthy(v)) != k->neg;
            if (on)
                FG_FORWARD(render(t, i + 1, k->els, sc, o), "{{#if %s}} of line %d", k->name, k->line);
            else if (k->els != k->end)
                FG_FORWARD(render(t, k->els + 1, k->end, sc, o), "{{#else}} of line %d", k->line);
            i = k->end;
            break;
        }
        case T_EACH: {
            long long idx = -1;
            const json_t *v = lookup(sc, k->name, &idx);
            FG_RETURN_IF(!v || !json_is_array(v), FG_ERR_INVALID_ARG, "%s:%d: {{#each %s}}: %s", t->name, k->line,
                         k->name, v ? "not an array" : "unknown name");
            for (size_t j = 0; j < json_array_size(v); j++) {
                sc->item[sc->depth] = json_array_get(v, j);
                sc->index[sc->depth] = j;
                sc->depth++;
                fg_status s = render(t, i + 1, k->end, sc, o);
                sc->depth--;
                if (s != FG_OK) return fgi_error_push(s, "{{#each %s}} element %zu", k->name, j);
            }
            i = k->end;
            break;
        }
        default: /* T_ELSE, T_END are consumed by their block */
            break;
        }
    }
    return FG_OK;
}

fg_status fgc_tmpl_render(const fgc_tmpl *t, const json_t *ctx, char **out)
{
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!t || !json_is_object(ctx), FG_ERR_INVALID_ARG, "a template and a JSON object context are required");
    scope sc = {.ctx = ctx};
    fgc_strbuf o = {0};
    fg_status s = render(t, 0, t->n, &sc, &o);
    if (s == FG_OK && o.oom) s = FG_ERROR(FG_ERR_NO_MEMORY, "rendering %s", t->name);
    if (s != FG_OK) {
        free(o.data);
        return s;
    }
    *out = fgc_strbuf_take(&o);
    return FG_OK;
}
