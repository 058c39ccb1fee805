/* data[i] *= 2. GLSL names its entry point main; the pragma gives the kernel its own name,
   the same as doubled.cl's (docs/guide.md, "Kernel names"). */
#version 450
#pragma zcs_kernel(double_values)

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) buffer Data {
    uint data[];
};

void main()
{
    uint i = gl_GlobalInvocationID.x;
    data[i] *= 2u;
}
