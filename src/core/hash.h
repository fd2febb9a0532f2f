/* FNV-1a, the library's one string hash (build signature, machine
 * fingerprint, metadata content keys). */
#ifndef FGI_CORE_HASH_H
#define FGI_CORE_HASH_H

#include <stdint.h>

#define FGI_FNV_BASIS 1469598103934665603ull
#define FGI_FNV_PRIME 1099511628211ull

/* h extended by the bytes of s (start from FGI_FNV_BASIS). */
static inline uint64_t fgi_fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * FGI_FNV_PRIME;
    return h;
}

#endif
