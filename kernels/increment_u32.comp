/* data[i] += amount for i < count: a read-modify-write of every element.
   The twin of increment_u32.cl: argument 0 is storage buffer binding 0, the value
   arguments 1 and 2 are the push-constant block in argument order. */
#version 450

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) buffer Data {
    uint data[];
};

layout(push_constant, std430) uniform Args {
    uint count;
    uint amount;
} args;

void main()
{
    uint i = gl_GlobalInvocationID.x;
    if (i < args.count)
        data[i] += args.amount;
}
