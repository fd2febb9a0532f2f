// <flaggems/flaggems.h> alone, as C++11 with -Wpedantic -Werror: extern "C"
// linkage and no C-only constructs. Links against the shared library.
#include <flaggems/flaggems.h>

int main()
{
    fg_allocator none = {nullptr, nullptr, nullptr};
    fg_status s = fg_set_allocator(&none); // refused: alloc and free are NULL
    const bool ok = s == FG_ERR_INVALID_ARG && fg_last_error()[0] != '\0' &&
                    fg_version_number() == FG_VERSION_NUMBER && FG_DIM_ALL < 0 &&
                    FG_MAX_DIMS == 8;
    return ok ? 0 : 1;
}
