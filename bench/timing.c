/* Timing: the monotonic clock and the summary of repeated measurements. */
#include <stdlib.h>
#include <time.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bench_compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

bench_summary bench_summarise(uint64_t *samples, uint32_t n)
{
    bench_summary s = {0};
    if (n == 0)
        return s;
    qsort(samples, n, sizeof *samples, bench_compare_u64);
    s.samples = n;
    s.min_ns = (double)samples[0];
    s.max_ns = (double)samples[n - 1];
    if (n % 2 == 1)
        s.median_ns = (double)samples[n / 2];
    else
        s.median_ns = ((double)samples[n / 2 - 1] + (double)samples[n / 2]) / 2.0;
    s.spread_pct = s.median_ns > 0 ? 100.0 * (s.max_ns - s.min_ns) / s.median_ns : 0.0;
    return s;
}

int bench_dispatch_samples_init(bench_dispatch_samples *s, uint32_t iterations)
{
    s->iterations = iterations;
    s->enqueue = calloc(iterations, sizeof *s->enqueue);
    s->roundtrip = calloc(iterations, sizeof *s->roundtrip);
    return s->enqueue != NULL && s->roundtrip != NULL ? 0 : -1;
}

void bench_dispatch_samples_add(bench_dispatch_samples *s, uint32_t i, uint64_t start,
                                uint64_t enqueued, uint64_t done)
{
    if (i < BENCH_DISPATCH_WARMUP)
        return;
    s->enqueue[i - BENCH_DISPATCH_WARMUP] = enqueued - start;
    s->roundtrip[i - BENCH_DISPATCH_WARMUP] = done - start;
}

void bench_dispatch_samples_finish(bench_dispatch_samples *s, int ok, bench_dispatch_result *out)
{
    if (ok) {
        out->enqueue = bench_summarise(s->enqueue, s->iterations);
        out->roundtrip = bench_summarise(s->roundtrip, s->iterations);
        out->ok = 1;
    }
    free(s->enqueue);
    free(s->roundtrip);
}
