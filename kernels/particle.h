/*
 * The particle struct the library's own kernels (particles_advance) work on, as the
 * host declares it. 48 bytes, every field 4-byte scalars, so C, OpenCL C and GLSL
 * std430 lay it out the same way. Used by the tests, the benchmark and the example.
 */
#ifndef ZCS_KERNELS_PARTICLE_H
#define ZCS_KERNELS_PARTICLE_H

#include <stdint.h>

typedef struct zcs_particle {
    float position[3];
    float mass;
    float velocity[3];
    float age;
    uint32_t id;
    uint32_t bounces;
    float reserved[2];
} zcs_particle;

_Static_assert(sizeof(zcs_particle) == 48, "zcs_particle must be 48 bytes");

/* The step particles_advance applies, on the host: the reference for tests. */
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

#endif /* ZCS_KERNELS_PARTICLE_H */
