/*
 * Shared structs of the layout tests: this very text is compiled by the host (C11),
 * and by zcs_struct_check for the device (OpenCL C or GLSL).
 */
#include "zcs/layout.h"

/* 32-bit and 64-bit scalars, with the padding before the 64-bit fields written out. */
ZCS_STRUCT(lt_scalars)
{
    zcs_u32 id;
    zcs_i32 delta;
    zcs_f32 weight;
    zcs_u32 pad0;
    zcs_u64 big;
    zcs_i64 signed_big;
};

/* Every vector type. */
ZCS_STRUCT(lt_vectors)
{
    zcs_vec4 color;
    zcs_vec2 uv;
    zcs_vec3 normal;
    zcs_u32 flags;
    zcs_u32 pad0;
    zcs_u32 pad1;
    zcs_uvec4 ids;
    zcs_ivec4 deltas;
    zcs_ivec2 cell;
    zcs_uvec2 range;
};

/* A struct used inside others. */
ZCS_STRUCT(lt_inner)
{
    zcs_f32 weight;
    zcs_u32 tags[3];
};

/* Nested structs and fixed arrays, one of them two-dimensional. */
ZCS_STRUCT(lt_nested)
{
    zcs_u32 kind;
    zcs_u32 pad0;
    zcs_u64 stamp;
    lt_inner inner;
    lt_inner pair[2];
    zcs_f32 matrix[2][3];
    zcs_u32 pad1[2];
};

/* An element of a struct array that itself holds a struct. */
ZCS_STRUCT(lt_item)
{
    zcs_vec2 position;
    lt_inner inner;
};

/* A struct array inside a struct, then a 64-bit field. */
ZCS_STRUCT(lt_bag)
{
    zcs_u32 count;
    zcs_u32 pad0;
    lt_item items[3];
    zcs_u64 total;
};

/* A struct with implicit trailing padding (12 bytes of data, 16 of size), nested. */
ZCS_STRUCT(lt_tail)
{
    zcs_u64 x;
    zcs_u32 y;
};

ZCS_STRUCT(lt_holds_tail)
{
    lt_tail tail;
    zcs_u32 after;
    zcs_u32 pad0;
};
