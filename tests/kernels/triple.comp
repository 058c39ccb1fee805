#version 450
/* Finds triple.h next to itself and zcs/layout.h in the library. */
#include "zcs/layout.h"
#include "triple.h"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;
layout(std430, set = 0, binding = 0) buffer Items { inc_item items[]; };
layout(push_constant, std430) uniform Args { uint count; } args;

void main()
{
    uint i = gl_GlobalInvocationID.x;
    if (i < args.count)
        items[i].result = items[i].value * INC_FACTOR;
}
