/* Included by a kernel of tests/check_includes.c; line 3 does not build. */
#include "zcs/layout.h"
zcs_u32 broken_header_value = no_such_value;
