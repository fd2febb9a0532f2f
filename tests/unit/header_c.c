/* <flaggems/flaggems.h> alone, as C99 with -Wpedantic -Werror: the public
 * header needs nothing included before it. Links against the shared
 * library. */
#include <flaggems/flaggems.h>

int main(void)
{
    fg_status s = FG_OK;
    fg_memory_stats st;
    s = fg_memory_get_stats(&st);
    return s == FG_OK && fg_version_number() == FG_VERSION_NUMBER &&
                   fg_status_name(FG_ERR_SHAPE)[0] == 'F'
               ? 0
               : 1;
}
