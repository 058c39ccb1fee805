/* One time step of a particle system: gravity, motion, a bounce off the floor y = 0, on the
   one declaration of zcs_particle that the host uses too (include/zcs/particle.h; the
   build inlines it, since OpenCL compilers take no include path at run time). */
#include "zcs/particle.h"

kernel void particles_advance(global zcs_particle *particles, uint count, float dt, float gravity)
{
    size_t i = get_global_id(0);
    if (i >= count)
        return;
    ZCS_PARTICLE_ADVANCE(particles[i], dt, gravity);
}
