/*
 * A particle system whose structs the CPU writes and a kernel advances, with no copy:
 * the array lives in memory that both the CPU and the device address.
 *
 *   particles [count] [steps]
 *
 * Prints the device, the tier and why, then checks every particle against the same
 * step computed on the CPU. Exit status 0 when every particle matches.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <zcs/zcs.h>

#include <zcs/particle.h>

/* Print the failing call's status and message, then leave. */
static void check(zcs_status status, const char *what)
{
    if (status != ZCS_SUCCESS) {
        fprintf(stderr, "%s: %s: %s\n", what, zcs_status_name(status), zcs_last_error());
        exit(EXIT_FAILURE);
    }
}

static void initial_particle(zcs_particle *p, uint32_t i)
{
    p->position[0] = (float)(i % 100);
    p->position[1] = 1.0f + (float)(i % 17) * 0.25f;
    p->position[2] = (float)(i / 100 % 100);
    p->mass = 1.0f;
    p->velocity[0] = 0.5f;
    p->velocity[1] = (float)(i % 7) - 3.0f;
    p->velocity[2] = -0.25f;
    p->age = 0.0f;
    p->id = i;
    p->bounces = 0;
    p->reserved[0] = p->reserved[1] = 0.0f;
}

static int close_enough(float a, float b)
{
    return fabsf(a - b) <= 1e-4f * (1.0f + fabsf(b));
}

int main(int argc, char **argv)
{
    uint32_t count = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 100000;
    int steps = argc > 2 ? atoi(argv[2]) : 60;
    const float dt = 1.0f / 60.0f;
    const float gravity = -9.81f;

    zcs_context *context = NULL;
    check(zcs_context_create(NULL, &context), "zcs_context_create");
    zcs_context_info info;
    check(zcs_context_info_get(context, &info), "zcs_context_info_get");
    printf("backend: %s\ndevice:  %s (%s)\ntier:    %s\nwhy:     %s\n", info.backend_name,
           info.device_name, info.platform_name, zcs_tier_name(info.tier), info.tier_reason);

    /* The CPU writes every particle straight into the shared array. */
    zcs_array *particles = NULL;
    check(ZCS_ARRAY_CREATE(context, zcs_particle, count, 0, &particles), "zcs_array_create");
    zcs_particle *p = NULL;
    check(zcs_array_map(particles, ZCS_MAP_WRITE_DISCARD, (void **)&p), "zcs_array_map");
    for (uint32_t i = 0; i < count; i++)
        initial_particle(&p[i], i);
    check(zcs_array_unmap(particles), "zcs_array_unmap");

    /* A kernel advances the same structs. */
    zcs_program *program = NULL;
    zcs_kernel *advance = NULL;
    check(zcs_program_create_builtin(context, "particles_advance", &program), "program");
    check(zcs_kernel_create(program, "particles_advance", &advance), "zcs_kernel_create");
    check(zcs_kernel_set_array(advance, 0, particles), "argument 0");
    check(zcs_kernel_set_value(advance, 1, sizeof count, &count), "argument 1");
    check(zcs_kernel_set_value(advance, 2, sizeof dt, &dt), "argument 2");
    check(zcs_kernel_set_value(advance, 3, sizeof gravity, &gravity), "argument 3");
    size_t global = count;
    for (int step = 0; step < steps; step++)
        check(zcs_dispatch(advance, 1, &global, NULL), "zcs_dispatch");

    /* Map for reading waits for the kernels; check every particle on the CPU. */
    check(zcs_array_map(particles, ZCS_MAP_READ, (void **)&p), "zcs_array_map");
    uint32_t wrong = 0;
    for (uint32_t i = 0; i < count; i++) {
        zcs_particle expected;
        initial_particle(&expected, i);
        for (int step = 0; step < steps; step++)
            zcs_particle_advance_reference(&expected, dt, gravity);
        int same = p[i].id == expected.id && p[i].bounces == expected.bounces &&
                   close_enough(p[i].age, expected.age);
        for (int k = 0; k < 3; k++)
            same = same && close_enough(p[i].position[k], expected.position[k]) &&
                   close_enough(p[i].velocity[k], expected.velocity[k]);
        if (!same && wrong++ < 5)
            fprintf(stderr, "particle %u: y %g expected %g\n", i, (double)p[i].position[1],
                    (double)expected.position[1]);
    }
    check(zcs_array_unmap(particles), "zcs_array_unmap");

    zcs_stats stats;
    check(zcs_stats_get(context, &stats), "zcs_stats_get");
    printf("result:  %u particles x %d steps, %u wrong; %llu maps, %llu dispatches, "
           "%llu bytes copied by the runtime\n",
           count, steps, wrong, (unsigned long long)stats.maps,
           (unsigned long long)stats.dispatches, (unsigned long long)stats.bytes_copied);

    zcs_kernel_destroy(advance);
    zcs_program_destroy(program);
    check(zcs_array_destroy(particles), "zcs_array_destroy");
    zcs_context_destroy(context);
    return wrong == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
