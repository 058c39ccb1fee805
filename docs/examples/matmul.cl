/*
 * A tiled matrix multiply and a reduction as published OpenCL programs write them, with
 * __local pointer parameters sized by the host (clSetKernelArg(k, i, bytes, NULL), in zcs
 * zcs_kernel_set_local). Column-major, as in the well-known SGEMM tutorials: C = A * B,
 * A is M x K, B is K x N. The work-group size is TS x TS and divides M and N.
 */
kernel void matmul_tiled(const uint M, const uint N, const uint K, global const float *A,
                         global const float *B, global float *C, local float *Asub,
                         local float *Bsub)
{
    const uint TS = (uint)get_local_size(0);
    const uint row = (uint)get_local_id(0);
    const uint col = (uint)get_local_id(1);
    const uint globalRow = TS * (uint)get_group_id(0) + row;
    const uint globalCol = TS * (uint)get_group_id(1) + col;
    float acc = 0.0f;
    const uint numTiles = (K + TS - 1) / TS;
    for (uint t = 0; t < numTiles; t++) {
        const uint tiledRow = TS * t + row;
        const uint tiledCol = TS * t + col;
        Asub[col * TS + row] = tiledCol < K ? A[tiledCol * M + globalRow] : 0.0f;
        Bsub[col * TS + row] = tiledRow < K ? B[globalCol * K + tiledRow] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (uint k = 0; k < TS; k++)
            acc += Asub[k * TS + row] * Bsub[col * TS + k];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    C[globalCol * M + globalRow] = acc;
}

/* partial[group] = the sum of the group's elements of in[0 .. count). */
kernel void reduce_sum(global const float *in, global float *partial, local float *scratch,
                       const uint count)
{
    const uint l = (uint)get_local_id(0);
    const uint i = (uint)get_global_id(0);
    scratch[l] = i < count ? in[i] : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint s = (uint)get_local_size(0) / 2; s > 0; s /= 2) {
        if (l < s)
            scratch[l] += scratch[l + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (l == 0)
        partial[get_group_id(0)] = scratch[0];
}
