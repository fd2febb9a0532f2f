/* <flaggems/experimental.h> alone, as C99 with -Wpedantic -Werror. */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

int main(void) { return FG_EXP_GROUP_ALL == (FG_EXP_GROUP_GENERATED | FG_EXP_GROUP_CUSTOM) ? 0 : 1; }
