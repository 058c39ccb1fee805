/* Finds triple.h next to itself and zcs/layout.h in the library. */
#include "zcs/layout.h"
#include "triple.h"

kernel void triple(global inc_item *items, uint count)
{
    uint i = (uint)get_global_id(0);
    if (i < count)
        items[i].result = items[i].value * INC_FACTOR;
}
