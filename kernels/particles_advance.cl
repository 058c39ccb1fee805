/* One time step of a particle system: gravity, motion, a bounce off the floor y = 0, on the
   one declaration of zcs_particle that the host uses too (include/zcs/particle.h; the
   build inlines it, since OpenCL compilers take no include path at run time). */
#include "zcs/particle.h"

kernel void particles_advance(global zcs_particle *particles, uint count, float dt, float gravity)
{
    size_t i = get_global_id(0);
    if (i >= count)
        return;
    global zcs_particle *p = &particles[i];
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
