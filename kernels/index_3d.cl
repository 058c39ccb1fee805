/* out[(z * ny + y) * nx + x] = x | y << 10 | z << 20 over an nx * ny * nz grid: checks
   that 1-, 2- and 3-dimensional dispatches cover every element exactly once. */
kernel void index_3d(global uint *out, uint nx, uint ny, uint nz)
{
    size_t x = get_global_id(0);
    size_t y = get_global_id(1);
    size_t z = get_global_id(2);
    if (x < nx && y < ny && z < nz)
        out[(z * ny + y) * nx + x] = (uint)(x | (y << 10) | (z << 20));
}
