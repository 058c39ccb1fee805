/* Does not build: line 5 uses an unknown type. */
kernel void broken(global uint *data)
{
    uint i = (uint)get_global_id(0);
    no_such_type x = data[i];
}
