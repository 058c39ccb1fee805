/*
 * Double buffering: the CPU prepares and consumes one array of particles while a kernel
 * advances the other. A map waits only for the kernels that use its array, so in frame f
 * the CPU reads frame f - 1's results while frame f's kernel runs.
 *
 *   double_buffer [count] [frames]
 *
 * Each frame starts from fresh particles (a pattern of the index and the frame), one
 * kernel step advances them, and the CPU checks every particle of the frame before
 * against the same step computed on the host. Prints how many maps had to wait. Exit
 * status 0 when every particle of every frame matches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zcs/zcs.h>

#include <zcs/particle.h>

static void check(zcs_status status, const char *what)
{
    if (status != ZCS_SUCCESS) {
        fprintf(stderr, "%s: %s: %s\n", what, zcs_status_name(status), zcs_last_error());
        exit(EXIT_FAILURE);
    }
}

/* The particles frame `frame` starts from. Powers of two keep the step exact. */
static void fresh_particle(zcs_particle *p, uint32_t i, uint32_t frame)
{
    memset(p, 0, sizeof *p);
    p->position[0] = (float)(i % 64);
    p->position[1] = 4.0f + (float)((i + frame) % 16) * 0.25f;
    p->position[2] = (float)(frame % 8);
    p->mass = 1.0f;
    p->velocity[1] = (float)(i % 8) - 4.0f;
    p->id = i;
}

/* Compare a frame's results with the host's step; returns the number that differ. */
static uint32_t check_frame(const zcs_particle *p, uint32_t count, uint32_t frame, float dt,
                            float gravity)
{
    uint32_t wrong = 0;
    for (uint32_t i = 0; i < count; i++) {
        zcs_particle expected;
        fresh_particle(&expected, i, frame);
        zcs_particle_advance_reference(&expected, dt, gravity);
        if (memcmp(&p[i], &expected, sizeof expected) != 0 && wrong++ < 3)
            fprintf(stderr, "frame %u particle %u: y %g expected %g\n", frame, i,
                    (double)p[i].position[1], (double)expected.position[1]);
    }
    return wrong;
}

int main(int argc, char **argv)
{
    uint32_t count = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 100000;
    uint32_t frames = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 60;
    const float dt = 1.0f / 64.0f;
    const float gravity = -9.75f;

    zcs_context *context = NULL;
    check(zcs_context_create(NULL, &context), "zcs_context_create");

    /* Two arrays, and a kernel object for each so that its arguments are set once. */
    zcs_array *arrays[2] = {NULL, NULL};
    zcs_program *program = NULL;
    zcs_kernel *kernels[2] = {NULL, NULL};
    check(zcs_program_create_builtin(context, "particles_advance", &program), "program");
    for (int b = 0; b < 2; b++) {
        check(ZCS_ARRAY_CREATE(context, zcs_particle, count, 0, &arrays[b]), "zcs_array_create");
        check(zcs_kernel_create(program, "particles_advance", &kernels[b]), "zcs_kernel_create");
        check(zcs_kernel_set_array(kernels[b], 0, arrays[b]), "argument 0");
        check(zcs_kernel_set_value(kernels[b], 1, sizeof count, &count), "argument 1");
        check(zcs_kernel_set_value(kernels[b], 2, sizeof dt, &dt), "argument 2");
        check(zcs_kernel_set_value(kernels[b], 3, sizeof gravity, &gravity), "argument 3");
    }

    uint32_t wrong = 0;
    size_t global = count;
    for (uint32_t f = 0; f <= frames; f++) {
        if (f < frames) {
            /* This array's last kernel (frame f - 2) was read back in frame f - 1: the map
               returns at once. */
            zcs_particle *p = NULL;
            check(zcs_array_map(arrays[f % 2], ZCS_MAP_WRITE_DISCARD, (void **)&p), "map");
            for (uint32_t i = 0; i < count; i++)
                fresh_particle(&p[i], i, f);
            check(zcs_array_unmap(arrays[f % 2]), "unmap");
            check(zcs_dispatch(kernels[f % 2], 1, &global, NULL), "zcs_dispatch");
        }
        if (f > 0) {
            /* Frame f's kernel runs meanwhile: this map waits for frame f - 1's only. */
            const zcs_particle *p = NULL;
            check(zcs_array_map(arrays[(f - 1) % 2], ZCS_MAP_READ, (void **)&p), "map");
            wrong += check_frame(p, count, f - 1, dt, gravity);
            check(zcs_array_unmap(arrays[(f - 1) % 2]), "unmap");
        }
    }

    zcs_stats stats;
    check(zcs_stats_get(context, &stats), "zcs_stats_get");
    printf("result:  %u particles x %u frames, %u wrong; %llu dispatches, %llu of %llu maps "
           "waited for a kernel\n",
           count, frames, wrong, (unsigned long long)stats.dispatches,
           (unsigned long long)stats.map_waits, (unsigned long long)stats.maps);

    for (int b = 0; b < 2; b++) {
        zcs_kernel_destroy(kernels[b]);
        check(zcs_array_destroy(arrays[b]), "zcs_array_destroy");
    }
    zcs_program_destroy(program);
    zcs_context_destroy(context);
    return wrong == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
