/* The benchmark's workload on the CPU: write every particle, checksum every particle. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* The particle `i` of frame `frame`. Every value is a small multiple of a power of two,
   so the step (BENCH_DT, BENCH_GRAVITY) is exact in float. */
static inline void bench_particle(zcs_particle *p, uint32_t i, uint32_t frame)
{
    uint32_t a = i + frame;
    p->position[0] = (float)(a & 1023u) * 0.25f;
    p->position[1] = (float)((i * 7u + frame) & 255u) * 0.0625f;
    p->position[2] = (float)((i >> 10) & 1023u) * 0.25f;
    p->mass = (float)(1u + (i & 3u));
    p->velocity[0] = (float)((int)(i & 7u) - 4) * 0.5f;
    p->velocity[1] = (float)((int)(a & 15u) - 12);
    p->velocity[2] = 0.25f;
    p->age = (float)(frame & 63u) * BENCH_DT;
    p->id = i;
    p->bounces = frame & 7u;
    p->reserved[0] = 0.0f;
    p->reserved[1] = 0.0f;
}

/* Weights of the checksum for each 8-byte word of a particle (a particle is six), so
   that fields that swap or move change it. Every byte of every particle counts. */
static const uint64_t bench_word_weight[6] = {1, 3, 5, 7, 11, 13};

static inline uint64_t bench_particle_sum(const zcs_particle *p)
{
    uint64_t words[6];
    memcpy(words, p, sizeof words);
    uint64_t sum = 0;
    for (int k = 0; k < 6; k++)
        sum += bench_word_weight[k] * words[k];
    return sum;
}

void bench_write(zcs_particle *restrict particles, size_t count, uint32_t frame)
{
    for (size_t i = 0; i < count; i++)
        bench_particle(&particles[i], (uint32_t)i, frame);
}

uint64_t bench_checksum(const zcs_particle *restrict particles, size_t count)
{
    /* The array as a stream of 8-byte words, four particles (24 words) at a time into 24
       running sums (modulo 2^64): a loop the compiler vectorises, so the check runs at the
       speed of memory rather than of arithmetic. Weighted once at the end. */
    const unsigned char *bytes = (const unsigned char *)particles;
    uint64_t acc[24] = {0};
    size_t blocks = count / 4;
    for (size_t b = 0; b < blocks; b++) {
        uint64_t words[24];
        memcpy(words, bytes + b * sizeof words, sizeof words);
        for (int k = 0; k < 24; k++)
            acc[k] += words[k];
    }
    uint64_t sum = 0;
    for (int k = 0; k < 24; k++)
        sum += bench_word_weight[k % 6] * acc[k];
    for (size_t i = blocks * 4; i < count; i++)
        sum += bench_particle_sum(&particles[i]);
    return sum;
}

void bench_step(zcs_particle *restrict particles, size_t count)
{
    for (size_t i = 0; i < count; i++)
        zcs_particle_advance_reference(&particles[i], BENCH_DT, BENCH_GRAVITY);
}

void bench_expected(size_t count, uint32_t frame, uint64_t *before, uint64_t *after)
{
    uint64_t sum_before = 0;
    uint64_t sum_after = 0;
    for (size_t i = 0; i < count; i++) {
        zcs_particle p;
        bench_particle(&p, (uint32_t)i, frame);
        sum_before += bench_particle_sum(&p);
        zcs_particle_advance_reference(&p, BENCH_DT, BENCH_GRAVITY);
        sum_after += bench_particle_sum(&p);
    }
    *before = sum_before;
    *after = sum_after;
}

void *bench_aligned_alloc(size_t size)
{
    void *ptr = NULL;
    size_t rounded = (size + 63u) & ~(size_t)63u;
    if (posix_memalign(&ptr, 64, rounded == 0 ? 64 : rounded) != 0)
        return NULL;
    return ptr;
}

void bench_aligned_free(void *ptr)
{
    free(ptr);
}

static int bench_close(float a, float b)
{
    float d = a > b ? a - b : b - a;
    float m = b < 0 ? -b : b;
    return d <= 1e-4f * (1.0f + m);
}

size_t bench_verify_resident(const zcs_particle *got, size_t count, uint32_t steps)
{
    size_t wrong = 0;
    for (size_t i = 0; i < count; i++) {
        zcs_particle p;
        bench_particle(&p, (uint32_t)i, 0);
        for (uint32_t s = 0; s < steps; s++)
            zcs_particle_advance_reference(&p, BENCH_DT, BENCH_GRAVITY);
        int same =
            got[i].id == p.id && got[i].bounces == p.bounces && bench_close(got[i].age, p.age);
        for (int k = 0; k < 3; k++)
            same = same && bench_close(got[i].position[k], p.position[k]) &&
                   bench_close(got[i].velocity[k], p.velocity[k]);
        wrong += !same;
    }
    return wrong;
}
