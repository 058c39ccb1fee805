/**
 * @file
 * zcs/layout.h - one struct declaration for host C, OpenCL C kernels and GLSL
 * compute shaders.
 *
 * Include this header from the file that declares your shared structs, and include
 * that same file from the host (C11), from OpenCL C and from GLSL (Vulkan, std430
 * buffers). The types below have the same size and alignment in the three languages:
 *
 *   type         bytes  align  C (host)              OpenCL C     GLSL (std430)
 *   zcs_u32/i32    4      4    uint32_t / int32_t    uint / int   uint / int
 *   zcs_f32        4      4    float                 float        float
 *   zcs_u64/i64    8      8    uint64_t / int64_t    ulong / long uint64_t / int64_t (1)
 *   zcs_f64        8      8    double                double (2)   double (3)
 *   zcs_vec2       8      8    struct {x, y}         float2       vec2
 *   zcs_vec3      12      4    struct {x, y, z}      struct       struct {x, y, z}
 *   zcs_vec4      16     16    struct {x, y, z, w}   float4       vec4
 *   zcs_uvec2/4, zcs_ivec2/4   as vec2/vec4 with 32-bit integers
 *   zcs_ref        4      4    element index into another array, ZCS_REF_NULL for none
 *   ZCS_PTR(T)     8      8    T *                   global T *   uint64_t (1)
 *
 *   (1) GLSL: GL_EXT_shader_explicit_arithmetic_types_int64, enabled below; the device
 *       needs shaderInt64 when a shader uses it.
 *   (2) OpenCL: only where the device has cl_khr_fp64 (enabled below).
 *   (3) GLSL: the device needs shaderFloat64 when a shader uses it.
 *
 * Rules (docs/layout.md explains each, with examples):
 *  - Declare structs with ZCS_STRUCT(name) { ... }; and use only the types above,
 *    other ZCS_STRUCTs and fixed-size arrays of them as fields.
 *  - No bool, char, short, size_t, long (host), pointers other than ZCS_PTR, enums or
 *    bit-fields: their size differs between the languages.
 *  - No 3-component vector types (float3, vec3): OpenCL's float3 takes 16 bytes, GLSL's
 *    vec3 aligns to 16. zcs_vec3 is three packed floats.
 *  - Write padding out as fields (zcs_u32 pad0;) so that every byte is declared: put
 *    64-bit fields and zcs_vec4 at offsets that are multiples of their alignment, and
 *    make the struct's size a multiple of its largest alignment.
 *  - Where the languages could still disagree, zcs_struct_check (zcs/struct_check.h)
 *    compiles the same text for the device and compares every field at run time.
 *
 * Language detection: OpenCL C defines __OPENCL_VERSION__; C compilers define
 * __STDC__; anything else is taken for GLSL. Define ZCS_LAYOUT_NO_INT64 before the
 * include to keep GLSL from enabling the 64-bit integer extension.
 */
#ifndef ZCS_LAYOUT_H
#define ZCS_LAYOUT_H

/** Null value of a zcs_ref: refers to no element. */
#define ZCS_REF_NULL 0xFFFFFFFFu

/** 1 when the zcs_ref `r` refers to no element. */
#define ZCS_REF_IS_NULL(r) ((r) == ZCS_REF_NULL)

#if defined(__OPENCL_VERSION__) || defined(__OPENCL_C_VERSION__)
/* ------------------------------- OpenCL C ------------------------------- */
#define ZCS_LAYOUT_OPENCL 1

#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#define zcs_f64 double
#endif

typedef uint zcs_u32;
typedef int zcs_i32;
typedef float zcs_f32;
typedef ulong zcs_u64;
typedef long zcs_i64;
typedef float2 zcs_vec2;
typedef float4 zcs_vec4;
typedef uint2 zcs_uvec2;
typedef uint4 zcs_uvec4;
typedef int2 zcs_ivec2;
typedef int4 zcs_ivec4;
typedef struct zcs_vec3 {
    float x;
    float y;
    float z;
} zcs_vec3;
typedef uint zcs_ref;

/** Declare a shared struct: ZCS_STRUCT(node) { zcs_u32 value; zcs_ref next; }; */
#define ZCS_STRUCT(name)                                                                           \
    typedef struct name name;                                                                      \
    struct name

/** A pointer to a T in another (or the same) zcs array, valid on the SVM tiers. */
#define ZCS_PTR(T) global T *

/** Pointer to element `r` of the array at `base`, or 0 for ZCS_REF_NULL. */
#define ZCS_REF_GET(base, r) (ZCS_REF_IS_NULL(r) ? 0 : &(base)[(r)])

/** The zcs_ref of the element `ptr` points to in the array at `base` (0 gives the null ref). */
#define ZCS_REF_TO(base, ptr) ((ptr) == 0 ? ZCS_REF_NULL : (zcs_ref)((ptr) - (base)))

/** A zcs_vec3 as a float3, and back. */
#define ZCS_VEC3_LOAD(v)     ((float3)((v).x, (v).y, (v).z))
#define ZCS_VEC3_STORE(v, f) ((v).x = (f).x, (v).y = (f).y, (v).z = (f).z)

#elif defined(__STDC__) || defined(__cplusplus)
/* ------------------------------ host C11 -------------------------------- */
#define ZCS_LAYOUT_HOST 1

#include <stdint.h>

#if defined(__cplusplus)
#define ZCS_LAYOUT_ALIGNAS_(n) alignas(n)
#else
#define ZCS_LAYOUT_ALIGNAS_(n) _Alignas(n)
#endif

/* 64-bit types keep 8-byte alignment even where the C ABI gives them 4 (i386). */
#if defined(__GNUC__)
#define ZCS_LAYOUT_ALIGN8_ __attribute__((aligned(8)))
#else
#define ZCS_LAYOUT_ALIGN8_
#endif

typedef uint32_t zcs_u32;                    /**< 32-bit unsigned: OpenCL uint, GLSL uint. */
typedef int32_t zcs_i32;                     /**< 32-bit signed: OpenCL int, GLSL int. */
typedef float zcs_f32;                       /**< 32-bit float: float everywhere. */
typedef uint64_t zcs_u64 ZCS_LAYOUT_ALIGN8_; /**< 64-bit unsigned, 8-byte aligned. */
typedef int64_t zcs_i64 ZCS_LAYOUT_ALIGN8_;  /**< 64-bit signed, 8-byte aligned. */
typedef double zcs_f64 ZCS_LAYOUT_ALIGN8_;   /**< 64-bit float, 8-byte aligned. */
/** Two floats, 8-byte aligned: OpenCL float2, GLSL vec2. */
typedef struct zcs_vec2 {
    ZCS_LAYOUT_ALIGNAS_(8) float x; /**< first component */
    float y;                        /**< second component */
} zcs_vec2;
/** Three packed floats, 4-byte aligned (not float3 or vec3, see above). */
typedef struct zcs_vec3 {
    float x; /**< first component */
    float y; /**< second component */
    float z; /**< third component */
} zcs_vec3;
/** Four floats, 16-byte aligned: OpenCL float4, GLSL vec4. */
typedef struct zcs_vec4 {
    ZCS_LAYOUT_ALIGNAS_(16) float x; /**< first component */
    float y;                         /**< second component */
    float z;                         /**< third component */
    float w;                         /**< fourth component */
} zcs_vec4;
/** Two 32-bit unsigned integers, 8-byte aligned: OpenCL uint2, GLSL uvec2. */
typedef struct zcs_uvec2 {
    ZCS_LAYOUT_ALIGNAS_(8) uint32_t x; /**< first component */
    uint32_t y;                        /**< second component */
} zcs_uvec2;
/** Four 32-bit unsigned integers, 16-byte aligned: OpenCL uint4, GLSL uvec4. */
typedef struct zcs_uvec4 {
    ZCS_LAYOUT_ALIGNAS_(16) uint32_t x; /**< first component */
    uint32_t y;                         /**< second component */
    uint32_t z;                         /**< third component */
    uint32_t w;                         /**< fourth component */
} zcs_uvec4;
/** Two 32-bit signed integers, 8-byte aligned: OpenCL int2, GLSL ivec2. */
typedef struct zcs_ivec2 {
    ZCS_LAYOUT_ALIGNAS_(8) int32_t x; /**< first component */
    int32_t y;                        /**< second component */
} zcs_ivec2;
/** Four 32-bit signed integers, 16-byte aligned: OpenCL int4, GLSL ivec4. */
typedef struct zcs_ivec4 {
    ZCS_LAYOUT_ALIGNAS_(16) int32_t x; /**< first component */
    int32_t y;                         /**< second component */
    int32_t z;                         /**< third component */
    int32_t w;                         /**< fourth component */
} zcs_ivec4;
/** An element index into another array; ZCS_REF_NULL for none. */
typedef uint32_t zcs_ref;

/** Declare a shared struct: ZCS_STRUCT(node) { zcs_u32 value; zcs_ref next; }; */
#define ZCS_STRUCT(name)                                                                           \
    typedef struct name name;                                                                      \
    struct name

/** A pointer to a T in another (or the same) zcs array, valid on the SVM tiers. */
#define ZCS_PTR(T)            T *

/** Pointer to element `r` of the array at `base`, or NULL for ZCS_REF_NULL. */
#define ZCS_REF_GET(base, r)  (ZCS_REF_IS_NULL(r) ? 0 : &(base)[(r)])

/** The zcs_ref of the element `ptr` points to in the array at `base` (NULL gives the null ref). */
#define ZCS_REF_TO(base, ptr) ((ptr) == 0 ? ZCS_REF_NULL : (zcs_ref)((ptr) - (base)))

#else
/* -------------------------------- GLSL ---------------------------------- */
#define ZCS_LAYOUT_GLSL 1

#ifndef ZCS_LAYOUT_NO_INT64
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : enable
#define zcs_u64    uint64_t
#define zcs_i64    int64_t
/** A device address (VK_KHR_buffer_device_address); turn it into a buffer_reference. */
#define ZCS_PTR(T) uint64_t
#endif

#define zcs_u32              uint
#define zcs_i32              int
#define zcs_f32              float
#define zcs_f64              double
#define zcs_vec2             vec2
#define zcs_vec4             vec4
#define zcs_uvec2            uvec2
#define zcs_uvec4            uvec4
#define zcs_ivec2            ivec2
#define zcs_ivec4            ivec4
#define zcs_ref              uint
struct zcs_vec3 {
    float x;
    float y;
    float z;
};

/** Declare a shared struct: ZCS_STRUCT(node) { zcs_u32 value; zcs_ref next; }; */
#define ZCS_STRUCT(name)     struct name

/** A zcs_vec3 as a vec3, and back. Dereference a zcs_ref with `array[r]`. */
#define ZCS_VEC3_LOAD(v)     vec3((v).x, (v).y, (v).z)
#define ZCS_VEC3_STORE(v, f) ((v).x = (f).x, (v).y = (f).y, (v).z = (f).z)

#endif

#endif /* ZCS_LAYOUT_H */
