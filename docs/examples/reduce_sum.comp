/* The GLSL twin of matmul.cl's reduce_sum: buffers 0 and 1, local memory 2 (constant_id
   1026, in bytes), the value `count` 3. */
#version 450
#pragma zcs_kernel(reduce_sum)

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer In { float in_data[]; };
layout(std430, binding = 1) writeonly buffer Partial { float partial[]; };
layout(constant_id = 1026) const uint SCRATCH_BYTES = 4;
shared float scratch[SCRATCH_BYTES / 4];
layout(push_constant, std430) uniform Args {
    uint count;
} args;

void main()
{
    const uint l = gl_LocalInvocationID.x;
    const uint i = gl_GlobalInvocationID.x;
    scratch[l] = i < args.count ? in_data[i] : 0.0;
    barrier();
    for (uint s = gl_WorkGroupSize.x / 2; s > 0; s /= 2) {
        if (l < s)
            scratch[l] += scratch[l + s];
        barrier();
    }
    if (l == 0)
        partial[gl_WorkGroupID.x] = scratch[0];
}
