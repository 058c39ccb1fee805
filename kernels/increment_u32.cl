/* data[i] += amount for i < count: a read-modify-write of every element. */
kernel void increment_u32(global uint *data, uint count, uint amount)
{
    size_t i = get_global_id(0);
    if (i < count)
        data[i] += amount;
}
