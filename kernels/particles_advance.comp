/* One time step of a particle system: gravity, motion, a bounce off the floor y = 0.
   The twin of particles_advance.cl, on the one declaration of zcs_particle that the host
   uses too (include/zcs/particle.h: 48 bytes of 4-byte scalars, which std430 lays out
   without padding). */
#version 450
#extension GL_GOOGLE_include_directive : require

#include "zcs/particle.h"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) buffer Particles {
    zcs_particle particles[];
};

layout(push_constant, std430) uniform Args {
    uint count;
    float dt;
    float gravity;
} args;

void main()
{
    uint i = gl_GlobalInvocationID.x;
    if (i >= args.count)
        return;
    /* Work on a local copy, written back once. `precise` forbids fusing a * b + c into
       one fma, so results match the host reference in include/zcs/particle.h bit for bit. */
    precise zcs_particle p = particles[i];
    ZCS_PARTICLE_ADVANCE(p, args.dt, args.gravity);
    particles[i] = p;
}
