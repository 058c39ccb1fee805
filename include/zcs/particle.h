/*
 * zcs/particle.h - the particle struct of the library's own kernel particles_advance
 * (zcs_program_create_builtin(ctx, "particles_advance", ...)), for host C, OpenCL C and
 * GLSL alike (declared with <zcs/layout.h>).
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

#if ZCS_LAYOUT_HOST
#if defined(__cplusplus)
static_assert(sizeof(zcs_particle) == 48, "zcs_particle must be 48 bytes");
#else
_Static_assert(sizeof(zcs_particle) == 48, "zcs_particle must be 48 bytes");
#endif

/** The step particles_advance applies, on the host: gravity, motion, a bounce off the floor
   y = 0. The kernel's results equal it bit for bit. */
static inline void zcs_particle_advance_reference(zcs_particle *p, float dt, float gravity)
{
    p->velocity[1] += gravity * dt;
    for (int k = 0; k < 3; k++)
        p->position[k] += p->velocity[k] * dt;
    if (p->position[1] < 0.0f) {
        p->position[1] = -p->position[1];
        p->velocity[1] = -p->velocity[1] * 0.5f;
        p->bounces += 1;
    }
    p->age += dt;
}
#endif

#endif /* ZCS_PARTICLE_H */
