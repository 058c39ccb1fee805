/* zcs-bench's sweep: every selected mode at one size, frames timed and checked, with a
   progress line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

double bench_elapsed(const bench_progress *p)
{
    return (double)(bench_now_ns() - p->start_ns) / 1e9;
}

/* A progress line on stderr once the run has taken more than two seconds. */
void bench_progress_show(bench_progress *p, const char *what, size_t size, int done, int total)
{
    double elapsed = bench_elapsed(p);
    if (elapsed < 2.0)
        return;
    char buf[32];
    if (p->tty) {
        fprintf(stderr, "\r\033[K[%5.1f s] %s %s (%d/%d)", elapsed, what,
                bench_format_size(size, buf, sizeof buf), done, total);
        p->shown = 1;
    } else if (done == total) {
        fprintf(stderr, "zcs-bench: [%5.1f s] %s %s done\n", elapsed, what,
                bench_format_size(size, buf, sizeof buf));
    }
}

void bench_progress_clear(bench_progress *p)
{
    if (p->tty && p->shown)
        fprintf(stderr, "\r\033[K");
    p->shown = 0;
}

/* Whether every mode's arrays at `size` fit in half the physical memory at once. */
static int bench_fits_at_once(const bench_mode *modes, int mode_count, size_t size)
{
    long pages = sysconf(_SC_PHYS_PAGES);
    long page_size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page_size <= 0)
        return 0;
    double total = 0;
    for (int m = 0; m < mode_count; m++)
        if (modes[m].available)
            total += (double)modes[m].arrays * (double)size;
    return total <= (double)pages * (double)page_size / 2;
}

/* One frame of one mode, timed and checked. Returns 0, or 1 on a failure (printed). */
static int bench_one_frame(bench_mode *mode, size_t size, uint32_t f, const uint64_t *before,
                           const uint64_t *after, uint64_t *elapsed)
{
    uint64_t checksum = 0;
    uint64_t t0 = bench_now_ns();
    if (mode->frame(mode, f, &checksum) != 0)
        return 1;
    *elapsed = bench_now_ns() - t0;
    uint64_t expected = mode->verify == BENCH_VERIFY_AFTER_STEP    ? after[f]
                        : mode->verify == BENCH_VERIFY_BEFORE_STEP ? before[f]
                                                                   : checksum;
    if (checksum != expected) {
        fprintf(stderr,
                "zcs-bench: %s at %zu bytes, frame %u: checksum FAILED: read %llx, expected "
                "%llx\n",
                mode->name, size, f, (unsigned long long)checksum, (unsigned long long)expected);
        return 1;
    }
    return 0;
}

/* Per-mode state of a size's run. */
typedef struct bench_run {
    int state;         /* 0 not set up, 1 running, 2 failed, 3 done */
    uint32_t frames;   /* frames run (warm-up included) */
    uint32_t total;    /* frames the mode runs (warm-up included); fewer for slow modes */
    uint64_t *samples; /* timed frames */
} bench_run;

/* End a mode's run at one size: copies, teardown, summary. Returns 1 on a failure. */
static int bench_finish_mode(bench_mode *mode, bench_run *run, bench_result *r, uint32_t warmup)
{
    int ok = run->state == 1;
    if (ok && mode->bytes_copied != NULL)
        r->bytes_copied_per_frame = (double)mode->bytes_copied(mode) / (double)run->frames;
    if (mode->teardown(mode, run->frames) != 0) {
        if (ok)
            fprintf(stderr, "zcs-bench: %s at %zu bytes: checksum FAILED at the end\n", mode->name,
                    r->size);
        ok = 0;
    }
    if (ok && run->frames > warmup)
        r->time = bench_summarise(run->samples, run->frames - warmup);
    else if (ok)
        ok = 0; /* no timed frame */
    r->checksum_ok = ok;
    run->state = 3;
    return !ok;
}

/*
 * Run every selected mode at one size. Where all of them fit in memory at once the
 * modes take turns frame by frame, starting with a different mode each frame, so that
 * a change in the machine's load (other processes, frequency) falls on every mode alike
 * and their ratios hold; otherwise one mode after the other. Returns the failures.
 */
int bench_run_size(const bench_options *o, bench_mode *modes, int mode_count, size_t size,
                   bench_result *results, bench_progress *progress)
{
    size_t count = size / sizeof(zcs_particle);
    uint32_t warmup = bench_warmup_for(o, size);
    uint32_t frames = bench_frames_for(o, size);
    uint32_t total = warmup + frames;
    uint64_t *before = calloc(total, sizeof *before);
    uint64_t *after = calloc(total, sizeof *after);
    bench_run *runs = calloc((size_t)mode_count, sizeof *runs);
    if (before == NULL || after == NULL || runs == NULL) {
        fprintf(stderr, "zcs-bench: out of memory\n");
        exit(1);
    }
    for (uint32_t f = 0; f < total; f++)
        bench_expected(count, f, &before[f], &after[f]);
    int interleave = bench_fits_at_once(modes, mode_count, size);

    int failures = 0;
    for (int m = 0; m < mode_count; m++) {
        bench_result *r = &results[m];
        memset(r, 0, sizeof *r);
        r->mode = m;
        r->size = size;
        r->count = count;
        r->checksum_ok = -1;
        r->bytes_copied_per_frame = -1;
        r->interleaved = interleave;
        runs[m].samples = calloc(frames, sizeof *runs[m].samples);
        if (runs[m].samples == NULL) {
            fprintf(stderr, "zcs-bench: out of memory\n");
            exit(1);
        }
    }
    /* Sequential: each mode runs all its frames (a group of one); interleaved: every mode
       set up first, then frame by frame. */
    int group = interleave ? mode_count : 1;
    for (int first = 0; first < mode_count; first += group) {
        int last = first + group < mode_count ? first + group : mode_count;
        for (int m = first; m < last; m++) {
            if (!modes[m].available)
                continue;
            if (modes[m].setup(&modes[m], count) != 0) {
                fprintf(stderr, "zcs-bench: %s at %zu bytes: setup failed\n", modes[m].name, size);
                modes[m].teardown(&modes[m], 0);
                runs[m].state = 3;
                results[m].checksum_ok = 0;
                failures++;
                continue;
            }
            runs[m].state = 1;
            runs[m].total = total;
        }
        int span = last - first;
        int order[BENCH_MAX_MODES];
        for (int k = 0; k < span; k++)
            order[k] = first + k;
        uint32_t random = 0x9e3779b9u ^ (uint32_t)size;
        for (uint32_t f = 0; f < total; f++) {
            bench_progress_show(progress, interleave ? "frames" : modes[first].name, size, (int)f,
                                (int)total);
            /* A new order every frame (Fisher-Yates, xorshift): no mode always follows the
               same one, so what one mode leaves in the caches falls on every mode alike. */
            for (int k = span - 1; k > 0; k--) {
                random ^= random << 13;
                random ^= random >> 17;
                random ^= random << 5;
                int j = (int)(random % (uint32_t)(k + 1));
                int swap = order[k];
                order[k] = order[j];
                order[j] = swap;
            }
            for (int k = 0; k < span; k++) {
                int m = order[k];
                if (runs[m].state != 1 || f >= runs[m].total)
                    continue;
                uint64_t elapsed = 0;
                if (bench_one_frame(&modes[m], size, f, before, after, &elapsed) != 0) {
                    runs[m].state = 2;
                    continue;
                }
                if (f >= warmup)
                    runs[m].samples[f - warmup] = elapsed;
                runs[m].frames = f + 1;
                /* The adaptive count, once a frame has shown the mode's speed: no more than
                   BENCH_MODE_SECONDS of timed frames (a mode 100 times slower than the
                   others runs fewer frames rather than slowing the run 100 times). */
                if (o->frames == 0 && f + 1 == (warmup > 0 ? warmup : 1)) {
                    uint64_t affordable = (uint64_t)(BENCH_MODE_SECONDS * 1e9) / (elapsed + 1);
                    if (affordable < 3)
                        affordable = 3;
                    if (affordable < frames)
                        runs[m].total = warmup + (uint32_t)affordable;
                }
            }
        }
        for (int m = first; m < last; m++)
            if (runs[m].state == 1 || runs[m].state == 2)
                failures += bench_finish_mode(&modes[m], &runs[m], &results[m], warmup);
    }
    bench_progress_show(progress, "frames", size, (int)total, (int)total);
    for (int m = 0; m < mode_count; m++)
        free(runs[m].samples);
    free(runs);
    free(before);
    free(after);
    return failures;
}
