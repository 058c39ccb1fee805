/* out[(z * ny + y) * nx + x] = x | y << 10 | z << 20 over an nx * ny * nz grid: checks
   that 1-, 2- and 3-dimensional dispatches cover every element exactly once.
   The twin of index_3d.cl. */
#version 450

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) buffer Out {
    uint out_data[];
};

layout(push_constant, std430) uniform Args {
    uint nx;
    uint ny;
    uint nz;
} args;

void main()
{
    uint x = gl_GlobalInvocationID.x;
    uint y = gl_GlobalInvocationID.y;
    uint z = gl_GlobalInvocationID.z;
    if (x < args.nx && y < args.ny && z < args.nz)
        out_data[(z * args.ny + y) * args.nx + x] = x | (y << 10) | (z << 20);
}
