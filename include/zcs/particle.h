/*
 * zcs/particle.h - the particle struct of the library's own kernel particles_advance
 * (zcs_program_create_builtin(ctx, "particles_advance", ...)), for host C, OpenCL C and
 * GLSL alike (declared with <zcs/layout.h>). The builtin kernels include it (the build
 * inlines it); a kernel of yours built at run time includes it with the build option
 * "-I <prefix>/include" (zcs serves only zcs/layout.h by itself).
 *
 * 48 bytes of 4-byte scalars, so C, OpenCL C and GLSL std430 lay it out the same way.
 * The kernel's arguments: the array of zcs_particle, then count (uint32), dt (float) and
 * gravity (float). It applies one step of zcs_particle_advance_reference to each element.
 */
#ifndef ZCS_PARTICLE_H
#define ZCS_PARTICLE_H

#include "zcs/layout.h"

ZCS_STRUCT(zcs_particle)
{
    zcs_f32 position[3];
    zcs_f32 mass;
    zcs_f32 velocity[3];
    zcs_f32 age;
    zcs_u32 id;
    zcs_u32 bounces;
    zcs_f32 reserved[2];
};

/**
 * One step of particles_advance on the particle `P` (an lvalue of type zcs_particle):
 * gravity, motion, a bounce off the floor y = 0. The same text in host C, OpenCL C and
 * GLSL, so the kernel and the host reference compute alike, bit for bit.
 */
#define ZCS_PARTICLE_ADVANCE(P, dt, gravity)                                                       \
    do {                                                                                           \
        (P).velocity[1] += (gravity) * (dt);                                                       \
        for (int k_ = 0; k_ < 3; k_++)                                                             \
            (P).position[k_] += (P).velocity[k_] * (dt);                                           \
        if ((P).position[1] < 0.0f) {                                                              \
            (P).position[1] = -(P).position[1];                                                    \
            (P).velocity[1] = -(P).velocity[1] * 0.5f;                                             \
            (P).bounces += 1u;                                                                     \
        }                                                                                          \
        (P).age += (dt);                                                                           \
    } while (1 == 0) /* a bool in GLSL, an int in C */

#if ZCS_LAYOUT_HOST
#if defined(__cplusplus)
static_assert(sizeof(zcs_particle) == 48, "zcs_particle must be 48 bytes");
#else
_Static_assert(sizeof(zcs_particle) == 48, "zcs_particle must be 48 bytes");
#endif

/** The step particles_advance applies (ZCS_PARTICLE_ADVANCE), on the host. The kernel's
   results equal it bit for bit. */
static inline void zcs_particle_advance_reference(zcs_particle *p, float dt, float gravity)
{
    ZCS_PARTICLE_ADVANCE(*p, dt, gravity);
}
#endif

#endif /* ZCS_PARTICLE_H */
