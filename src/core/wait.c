/* Wait policies: the choice of ZCS_WAIT_AUTO, and the poll that runs before a blocking wait. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */

#include <sched.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"

/* One pause between two polls: lets a sibling hyperthread run, and costs the device
   nothing. PAUSE is part of every x86-64 CPU. */
#if defined(__x86_64__) || defined(__i386__)
#define ZCS__CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define ZCS__CPU_RELAX() __asm__ __volatile__("yield")
#else
#define ZCS__CPU_RELAX() ((void)0)
#endif

/* The CPUs this process may run on (its affinity mask, which containers and taskset
   narrow), else those online. */
static long zcs__usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set);
    return sysconf(_SC_NPROCESSORS_ONLN);
}

void zcs__wait_resolve(zcs_context *context, zcs_wait wait, uint32_t wait_poll_us,
                       const char *source)
{
    char *reason = context->wait_reason;
    size_t room = sizeof context->wait_reason;
    uint32_t budget = wait_poll_us != 0 ? wait_poll_us : ZCS_DEFAULT_WAIT_POLL_US;
    if (wait != ZCS_WAIT_AUTO) {
        if (wait == ZCS_WAIT_POLL)
            snprintf(reason, room, "poll for up to %u us, then block, forced by %s",
                     (unsigned)budget, source);
        else
            snprintf(reason, room, "block, forced by %s", source);
    } else {
        const zcs_context_info *info = &context->info;
        long cpus = 0;
        if (zcs__backend_id != ZCS_BACKEND_VULKAN) {
            wait = ZCS_WAIT_BLOCK;
            snprintf(reason, room,
                     "block: the %s runtime's own wait (on NVIDIA's, polling was slower)",
                     info->backend_name);
        } else if (!info->is_gpu || info->unified_memory) {
            wait = ZCS_WAIT_BLOCK;
            snprintf(reason, room,
                     "block: the device %s the host's cores or power (%s), which a poll "
                     "would take from it",
                     info->is_gpu ? "shares" : "runs on",
                     info->is_gpu ? "an integrated GPU" : "a CPU device");
        } else if ((cpus = zcs__usable_cpus()) < 2) {
            wait = ZCS_WAIT_BLOCK;
            snprintf(reason, room,
                     "block: a discrete GPU, but this process may run on %ld CPU, which a "
                     "poll would take from the application",
                     cpus);
        } else {
            wait = ZCS_WAIT_POLL;
            snprintf(reason, room,
                     "poll for up to %u us, then block: a discrete GPU, whose driver may "
                     "wake a blocked wait long after the work ended, and %ld CPUs",
                     (unsigned)budget, cpus);
        }
    }
    context->info.wait = wait;
    context->info.wait_poll_us = wait == ZCS_WAIT_POLL ? budget : 0;
    context->wait_poll_ns = wait == ZCS_WAIT_POLL ? (uint64_t)budget * 1000u : 0;
}

static uint64_t zcs__now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

int zcs__wait_poll(zcs_context *context, zcs__wait_query finished, void *argument)
{
    uint64_t budget = context->wait_poll_ns;
    if (budget == 0)
        return 0;
    atomic_fetch_add(&context->polled_waits, 1);
    uint64_t start = zcs__now_ns();
    for (;;) {
        int done = finished(argument);
        if (done != 0)
            return done > 0;
        if (zcs__now_ns() - start >= budget)
            break;
        ZCS__CPU_RELAX();
    }
    atomic_fetch_add(&context->poll_timeouts, 1);
    return 0;
}
