/* The raw Vulkan modes: the copy-based baseline the way most code does it today (a
   device-local buffer, a host-visible staging buffer and vkCmdCopyBuffer both ways),
   the zero-copy tier written by hand (host-visible coherent memory, mapped once), and
   the kernel alone on resident data, on the harness of vulkan_harness.c. They run on
   the device zcs chose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vulkan_harness.h"

static int bench_vk_copy_setup(bench_mode *mode, size_t count)
{
    return bench_vk_prepare(mode->state, count, 0);
}

static int bench_vk_mapped_setup(bench_mode *mode, size_t count)
{
    return bench_vk_prepare(mode->state, count, 1);
}

/* copy: the CPU writes the staging buffer, the GPU copies it in, runs the kernel and
   copies it back out, the CPU reads the staging buffer. */
static int bench_vk_copy_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    bench_vk_state *s = mode->state;
    bench_write(s->staging.mapped, s->count, frame);
    if (bench_vk_submit(s, 1) != 0)
        return -1;
    *checksum = bench_checksum(s->staging.mapped, s->count);
    return 0;
}

/* raw-vulkan_mapped: one host-visible coherent buffer, mapped once. */
static int bench_vk_mapped_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    bench_vk_state *s = mode->state;
    bench_write(s->shared.mapped, s->count, frame);
    if (bench_vk_submit(s, 1) != 0)
        return -1;
    *checksum = bench_checksum(s->shared.mapped, s->count);
    return 0;
}

/* kernel: the data goes to the device-local buffer once; each frame is the kernel alone
   (the command buffer of the copy mode without its copies). */
static int bench_vk_kernel_setup(bench_mode *mode, size_t count)
{
    bench_vk_state *s = mode->state;
    if (bench_vk_prepare(s, count, 0) != 0)
        return -1;
    bench_write(s->staging.mapped, count, 0);
    if (bench_vk_submit(s, 1) != 0) /* copies in, one step, copies out */
        return -1;
    vkResetCommandBuffer(s->commands, 0);
    VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    vkBeginCommandBuffer(s->commands, &begin);
    bench_vk_barrier(s->commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                     VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
    bench_vk_record_dispatch(s);
    VkResult result = vkEndCommandBuffer(s->commands);
    return result == VK_SUCCESS ? 0 : bench_vk_fail("vkEndCommandBuffer", result);
}

static int bench_vk_kernel_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    (void)frame;
    *checksum = 0;
    return bench_vk_submit(mode->state, 1);
}

static int bench_vk_kernel_teardown(bench_mode *mode, uint32_t frames_run)
{
    bench_vk_state *s = mode->state;
    if (s->commands == VK_NULL_HANDLE || s->staging.mapped == NULL) {
        bench_vk_free(s);
        return 0;
    }
    /* Copy the result out with a one-off command buffer. */
    vkResetCommandBuffer(s->commands, 0);
    VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    vkBeginCommandBuffer(s->commands, &begin);
    bench_vk_barrier(s->commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
    VkBufferCopy region = {0, 0, s->size};
    vkCmdCopyBuffer(s->commands, s->device.buffer, s->staging.buffer, 1, &region);
    bench_vk_barrier(s->commands, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
    vkEndCommandBuffer(s->commands);
    size_t wrong = s->count;
    if (bench_vk_submit(s, 1) == 0) /* setup ran one step before the frames */
        wrong = bench_verify_resident(s->staging.mapped, s->count, frames_run + 1);
    if (wrong != 0)
        fprintf(stderr, "zcs-bench: kernel: %zu of %zu particles differ after %u steps\n", wrong,
                s->count, frames_run + 1);
    bench_vk_free(s);
    return wrong != 0;
}

static int bench_vk_teardown(bench_mode *mode, uint32_t frames_run)
{
    (void)frames_run;
    bench_vk_free(mode->state);
    return 0;
}

static void bench_vk_destroy(bench_mode *mode)
{
    free(mode->state);
    mode->state = NULL;
}

static void bench_vk_mode_init(bench_mode *mode, const char *name, const char *group,
                               const char *what, zcs_tier tier, bench_verify verify, int arrays,
                               int (*setup)(bench_mode *, size_t),
                               int (*frame)(bench_mode *, uint32_t, uint64_t *),
                               int (*teardown)(bench_mode *, uint32_t), int ready)
{
    memset(mode, 0, sizeof *mode);
    snprintf(mode->name, sizeof mode->name, "%s", name);
    mode->group = group;
    mode->what = what;
    mode->tier = tier;
    mode->verify = verify;
    mode->arrays = arrays;
    mode->setup = setup;
    mode->frame = frame;
    mode->teardown = teardown;
    mode->destroy = bench_vk_destroy;
    mode->state = calloc(1, sizeof(bench_vk_state));
    mode->available = ready && mode->state != NULL;
    if (!mode->available)
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "raw Vulkan setup failed");
}

int bench_raw_modes(const bench_config *config, const bench_device *device, const zcs_tier *tiers,
                    int tier_count, bench_mode *modes, int max_modes)
{
    (void)config;
    (void)tiers;
    (void)tier_count;
    int ready = bench_vk_init(device) == 0;
    int n = 0;
    if (n < max_modes)
        bench_vk_mode_init(&modes[n++], "copy", "copy",
                           "staging buffer, vkCmdCopyBuffer in, kernel, vkCmdCopyBuffer out",
                           ZCS_TIER_AUTO, BENCH_VERIFY_AFTER_STEP, 2, bench_vk_copy_setup,
                           bench_vk_copy_frame, bench_vk_teardown, ready);
    for (int i = 0; i < device->tier_count && n < max_modes; i++)
        if (device->tiers[i] == ZCS_TIER_VULKAN_MAPPED)
            bench_vk_mode_init(&modes[n++], "raw-vulkan_mapped", "raw",
                               "host-visible coherent memory mapped once, by hand",
                               ZCS_TIER_VULKAN_MAPPED, BENCH_VERIFY_AFTER_STEP, 1,
                               bench_vk_mapped_setup, bench_vk_mapped_frame, bench_vk_teardown,
                               ready);
    if (n < max_modes)
        bench_vk_mode_init(&modes[n++], "kernel", "floor",
                           "the kernel alone on data already in device-local memory", ZCS_TIER_AUTO,
                           BENCH_VERIFY_AT_END, 2, bench_vk_kernel_setup, bench_vk_kernel_frame,
                           bench_vk_kernel_teardown, ready);
    return n;
}

int bench_raw_dispatch(const bench_config *config, const bench_device *device, size_t count,
                       uint32_t iterations, bench_dispatch_result *out)
{
    (void)config;
    memset(out, 0, sizeof *out);
    out->api = "raw Vulkan";
    out->tier = ZCS_TIER_VULKAN_MAPPED;
    if (bench_vk_init(device) != 0)
        return -1;
    bench_vk_state s;
    memset(&s, 0, sizeof s);
    bench_dispatch_samples samples;
    int rc = bench_dispatch_samples_init(&samples, iterations) != 0
                 ? -1
                 : bench_vk_prepare(&s, count, 1);
    if (rc == 0)
        bench_write(s.shared.mapped, count, 0);
    for (uint32_t i = 0; rc == 0 && i < iterations + BENCH_DISPATCH_WARMUP; i++) {
        uint64_t t0 = bench_now_ns();
        rc = bench_vk_submit(&s, 0);
        uint64_t t1 = bench_now_ns();
        VkResult result = VK_SUCCESS;
        if (rc == 0) {
            result = vkWaitForFences(bench_vk.device, 1, &s.fence, VK_TRUE, UINT64_MAX);
            vkResetFences(bench_vk.device, 1, &s.fence);
        }
        uint64_t t2 = bench_now_ns();
        if (result != VK_SUCCESS)
            rc = bench_vk_fail("vkWaitForFences", result);
        else if (rc == 0)
            bench_dispatch_samples_add(&samples, i, t0, t1, t2);
    }
    bench_dispatch_samples_finish(&samples, rc == 0, out);
    bench_vk_free(&s);
    return rc;
}
