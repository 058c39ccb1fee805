/* data[i] *= 2. The kernel's name differs from the file's stem: programs answer to their
   kernels' own names (docs/guide.md, "Kernel names"). The twin of doubled.comp. */
kernel void double_values(global uint *data)
{
    size_t i = get_global_id(0);
    data[i] *= 2u;
}
