/* Included by the kernels of tests/check_includes.c: a shared struct and a helper. */
#include "zcs/layout.h"

ZCS_STRUCT(inc_item)
{
    zcs_u32 value;
    zcs_u32 result;
};

#define INC_FACTOR 3u
