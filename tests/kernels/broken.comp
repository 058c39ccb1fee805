#version 450
/* Does not build: line 5 uses an unknown type. */
void main()
{
    no_such_type x = 1u;
}
