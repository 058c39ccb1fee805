/*
 * The GLSL twin of matmul.cl's matmul_tiled, parameter for parameter: the push-constant
 * members M, N, K are parameters 0-2 (the indices no buffer or local memory takes), the
 * buffers 3-5 (binding = index), the local memory tiles 6 and 7 (constant_id = 1024 +
 * index, in bytes; zcs_kernel_set_local sets them). The work-group size is TS x TS.
 */
#version 450
#pragma zcs_kernel(matmul_tiled)

layout(local_size_x_id = 0, local_size_y_id = 1) in;

layout(push_constant, std430) uniform Sizes {
    uint M;
    uint N;
    uint K;
} sizes;
layout(std430, binding = 3) readonly buffer MatrixA { float A[]; };
layout(std430, binding = 4) readonly buffer MatrixB { float B[]; };
layout(std430, binding = 5) writeonly buffer MatrixC { float C[]; };
layout(constant_id = 1030) const uint ASUB_BYTES = 4;
layout(constant_id = 1031) const uint BSUB_BYTES = 4;
shared float Asub[ASUB_BYTES / 4];
shared float Bsub[BSUB_BYTES / 4];

void main()
{
    const uint TS = gl_WorkGroupSize.x;
    const uint row = gl_LocalInvocationID.x;
    const uint col = gl_LocalInvocationID.y;
    const uint globalRow = TS * gl_WorkGroupID.x + row;
    const uint globalCol = TS * gl_WorkGroupID.y + col;
    const uint M = sizes.M;
    const uint K = sizes.K;
    float acc = 0.0;
    const uint numTiles = (K + TS - 1) / TS;
    for (uint t = 0; t < numTiles; t++) {
        const uint tiledRow = TS * t + row;
        const uint tiledCol = TS * t + col;
        Asub[col * TS + row] = tiledCol < K ? A[tiledCol * M + globalRow] : 0.0;
        Bsub[col * TS + row] = tiledRow < K ? B[globalCol * K + tiledRow] : 0.0;
        barrier();
        for (uint k = 0; k < TS; k++)
            acc += Asub[k * TS + row] * Bsub[col * TS + k];
        barrier();
    }
    C[globalCol * M + globalRow] = acc;
}
