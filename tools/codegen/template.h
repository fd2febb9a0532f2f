/* The code generator's template engine: a small Mustache-like language,
 * just what the kernel templates need.
 *
 *   {{name}}                   the value of name (string, integer, real,
 *                              true -> 1, false -> 0); looked up from the
 *                              innermost loop item outwards; unknown names
 *                              are an error, never an empty string
 *   {{#if name}} .. {{#else}} .. {{/if}}
 *                              truthy: true, a non-zero number, a non-empty
 *                              string or array; {{#if !name}} negates; an
 *                              unknown name is false
 *   {{#each name}} .. {{/each}}
 *                              once per element of the array name; an
 *                              object element's keys come into scope,
 *                              {{.}} is the element, {{@index}} its index
 *   {{! comment }}             dropped
 *
 * A line holding only a block tag ({{#..}}, {{/..}}, {{!..}}) and spaces
 * disappears whole, so templates indent their blocks freely.
 * Errors carry the template name and line: "pointwise.c.tmpl:12: ...". */
#ifndef FGC_TEMPLATE_H
#define FGC_TEMPLATE_H

#include <jansson.h>

#include "flaggems/flaggems.h"

typedef struct fgc_tmpl fgc_tmpl;

/* Parses text (a copy is kept). name appears in messages. *out NULL on
 * failure: FG_ERR_PARSE (unclosed or mismatched block, bad tag, nesting
 * deeper than 32), FG_ERR_NO_MEMORY. */
fg_status fgc_tmpl_parse(const char *text, const char *name, fgc_tmpl **out);

/* Renders with ctx (a JSON object) into *out (malloc'd, NUL-terminated).
 * FG_ERR_INVALID_ARG: an unknown name, a value that cannot be printed (an
 * object, an array, null), {{#each}} over a non-array. */
fg_status fgc_tmpl_render(const fgc_tmpl *t, const json_t *ctx, char **out);

void fgc_tmpl_free(fgc_tmpl *t);

#endif
