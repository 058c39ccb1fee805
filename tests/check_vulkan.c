/*
 * What only the Vulkan backend does: sub-allocation of small arrays from large blocks,
 * flush and invalidate where memory is not host-coherent, and the storage-buffer range
 * limit. Registered for Vulkan builds only.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zcs/zcs_vulkan.h>

#include "support/fault_counter.h"
#include "support/vk_faults.h"
#include "support/zcs_test_internal.h"
#include "vulkan/allocator.h"
#include "vulkan/array.h"
#include "vulkan/spirv.h"

/* A context on the vulkan_mapped tier whatever ZCS_TIER says: the allocator and flush tests
   below count that tier's blocks and calls (the staged tier has two allocations an array). */
static zcs_context *mapped_context(void)
{
    zcs_context_desc desc = {0};
    desc.tier = ZCS_TIER_VULKAN_MAPPED;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    return context;
}

START_TEST(small_arrays_share_one_allocation)
{
    enum { N = 5000 };
    zcs_context *context = mapped_context();
    static zcs_array *buffers[N];
    for (uint32_t i = 0; i < N; i++) {
        uint32_t *data = NULL;
        ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 1 + i % 32, 0, &buffers[i]));
        ZCS_CK(zcs_array_map(buffers[i], ZCS_MAP_WRITE_DISCARD, (void **)&data));
        for (uint32_t k = 0; k < 1 + i % 32; k++)
            data[k] = i << 8 | k;
        ZCS_CK(zcs_array_unmap(buffers[i]));
    }
    uint64_t blocks = 0, dedicated = 0, allocations = 0;
    zcs__vk_allocator_counts(zcs_test_object(context, ZCS__MAGIC_CONTEXT), &blocks, &dedicated,
                             &allocations);
    /* 5000 arrays of at most 128 bytes fit one 64 MiB block: one vkAllocateMemory. */
    ck_assert_uint_eq(allocations, 1);
    ck_assert_uint_eq(blocks, 1);
    ck_assert_uint_eq(dedicated, 0);
    /* No two arrays overlap: every one still holds what was written to it. */
    for (uint32_t i = 0; i < N; i++) {
        uint32_t *data = NULL;
        ZCS_CK(zcs_array_map(buffers[i], ZCS_MAP_READ, (void **)&data));
        for (uint32_t k = 0; k < 1 + i % 32; k++)
            ck_assert_uint_eq(data[k], i << 8 | k);
        ZCS_CK(zcs_array_unmap(buffers[i]));
    }
    for (uint32_t i = 0; i < N; i++)
        ZCS_CK(zcs_array_destroy(buffers[i]));
    zcs__vk_allocator_counts(zcs_test_object(context, ZCS__MAGIC_CONTEXT), &blocks, &dedicated,
                             &allocations);
    ck_assert_uint_le(blocks, 1); /* one empty block may be kept for the next arrays */
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(large_arrays_get_their_own_allocation)
{
    zcs_context *context = mapped_context();
    zcs_array *large = NULL;
    ZCS_CK(zcs_array_create(context, 1, 48u << 20, 0, &large)); /* over half a 64 MiB block */
    uint64_t blocks = 0, dedicated = 0, allocations = 0;
    zcs__vk_allocator_counts(zcs_test_object(context, ZCS__MAGIC_CONTEXT), &blocks, &dedicated,
                             &allocations);
    ck_assert_uint_eq(dedicated, 1);
    ZCS_CK(zcs_array_destroy(large));
    zcs__vk_allocator_counts(zcs_test_object(context, ZCS__MAGIC_CONTEXT), &blocks, &dedicated,
                             &allocations);
    ck_assert_uint_eq(dedicated, 0);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(non_coherent_memory_is_flushed_and_invalidated)
{
    /* lavapipe's memory is coherent: make zcs treat it as not, so the flush and invalidate
       path runs, and check both the calls and the data through a kernel. */
    zcs__vk_assume_noncoherent(1);
    zcs_context *context = mapped_context();
    const uint32_t count = 1000;
    const uint32_t amount = 11;
    zcs_array *buffer = NULL;
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, 0, &buffer));

    uint64_t flushes = zcs__vk_flush_count();
    uint64_t invalidates = zcs__vk_invalidate_count();
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        data[i] = i;
    ZCS_CK(zcs_array_unmap(buffer));
    /* A map invalidates (even for discard: see src/vulkan/array.c), an unmap after writing flushes.
     */
    ck_assert_uint_eq(zcs__vk_invalidate_count(), invalidates + 1);
    ck_assert_uint_eq(zcs__vk_flush_count(), flushes + 1);

    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    kernel = zcs_test_increment_kernel(context, buffer, count, amount, &program);
    size_t global = count;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));

    /* A read map invalidates and its unmap flushes nothing; an odd range works too. */
    flushes = zcs__vk_flush_count();
    ZCS_CK(zcs_array_map_range(buffer, ZCS_MAP_READ, 333, 7, (void **)&data));
    for (uint32_t i = 0; i < 7; i++)
        ck_assert_uint_eq(data[i], 333 + i + amount);
    ZCS_CK(zcs_array_unmap(buffer));
    ck_assert_uint_eq(zcs__vk_flush_count(), flushes);
    zcs_test_expect_indexed(buffer, count, amount);
    ck_assert_uint_eq(zcs__vk_invalidate_count(), invalidates + 3);

    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
    zcs__vk_assume_noncoherent(0);
}
END_TEST

START_TEST(arrays_past_the_storage_buffer_range_are_refused)
{
    /* An array is one storage-buffer descriptor: never bound silently truncated. */
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    zcs_array *buffer = NULL;
    ZCS_CK_STATUS(zcs_array_create(context, 1, (size_t)info.max_alloc_size + 1, 0, &buffer),
                  ZCS_ERROR_TOO_LARGE);
    char limit[32];
    snprintf(limit, sizeof limit, "%llu", (unsigned long long)info.max_alloc_size);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), limit));
    /* Exactly the limit works, and a kernel reaches its last element. */
    const uint32_t count = (uint32_t)(info.max_alloc_size / sizeof(uint32_t));
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, 0, &buffer));
    ZCS_CK(zcs_array_map_range(buffer, ZCS_MAP_WRITE_DISCARD, count - 1, 1, (void **)&data));
    data[0] = 41;
    ZCS_CK(zcs_array_unmap(buffer));
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    const uint32_t amount = 1;
    kernel = zcs_test_increment_kernel(context, buffer, count, amount, &program);
    size_t global = count;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ZCS_CK(zcs_array_map_range(buffer, ZCS_MAP_READ, count - 1, 1, (void **)&data));
    ck_assert_uint_eq(data[0], 42);
    ZCS_CK(zcs_array_unmap(buffer));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(a_failing_call_is_named_with_its_error)
{
    zcs_context *context = zcs_test_context();
    /* A new block's memory allocation fails: out of device memory, named. */
    vk_faults_install();
    zcs_array *buffer = NULL;
    vk_faults_arm(2, VK_ERROR_OUT_OF_DEVICE_MEMORY); /* vkCreateBuffer, then vkAllocateMemory */
    ZCS_CK_STATUS(zcs_array_create(context, 1, 40u << 20, 0, &buffer), ZCS_ERROR_OUT_OF_MEMORY);
    ck_assert_str_eq(fault_counter_fired_call(), "vkAllocateMemory");
    vk_faults_remove();
    ck_assert_msg(strstr(zcs_last_error(),
                         "vkAllocateMemory failed: VK_ERROR_OUT_OF_DEVICE_MEMORY (-2)") != NULL,
                  "message: %s", zcs_last_error());
    ck_assert_int_eq(zcs_context_last_backend_error(context), VK_ERROR_OUT_OF_DEVICE_MEMORY);
    ck_assert_ptr_null(buffer);
    /* Nothing was left half made, and the context goes on. */
    uint64_t blocks = 0, dedicated = 0, allocations = 0;
    zcs__vk_allocator_counts(zcs_test_object(context, ZCS__MAGIC_CONTEXT), &blocks, &dedicated,
                             &allocations);
    ck_assert_uint_eq(dedicated, 0);
    ZCS_CK(zcs_array_create(context, 1, 40u << 20, 0, &buffer));
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

/* vkBeginCommandBuffer, counted: a recording of a command buffer. */
static PFN_vkBeginCommandBuffer real_begin_command_buffer;
static unsigned long recordings;

static VKAPI_ATTR VkResult VKAPI_CALL
counting_begin_command_buffer(VkCommandBuffer command_buffer, const VkCommandBufferBeginInfo *info)
{
    recordings++;
    return real_begin_command_buffer(command_buffer, info);
}

/* A frame of the application: write the array, dispatch, read it back. */
static void write_dispatch_read(zcs_array *buffer, zcs_kernel *kernel, uint32_t count,
                                uint32_t amount)
{
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        data[i] = i;
    ZCS_CK(zcs_array_unmap(buffer));
    size_t global = count;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(buffer, count, amount);
}

/* A dispatch like a finished one before it submits that command buffer again: one
   recording for a loop of dispatches, one more for each new set of arguments, none for
   arguments a free slot still holds, one for a loop of frames (write, dispatch, read).
   (Dispatches in flight at once each record into a slot of their own.) */
START_TEST(repeated_dispatches_record_once)
{
    enum { N = 1024 };
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = zcs_test_indexed_u32(context, N);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, buffer, N, 1, &program);
    size_t global = N;
    /* On the staged tier the first dispatch also carries the array's upload. */
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ZCS_CK(zcs_finish(context));
    real_begin_command_buffer = zcs__vk.vkBeginCommandBuffer;
    zcs__vk.vkBeginCommandBuffer = counting_begin_command_buffer;
    recordings = 0;
    zcs_test_set_increment_args(kernel, buffer, N, 3);
    for (int i = 0; i < 5; i++) {
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
        ZCS_CK(zcs_finish(context));
    }
    ck_assert_uint_eq(recordings, 1);
    zcs_test_set_increment_args(kernel, buffer, N, 2);
    for (int i = 0; i < 3; i++) {
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
        ZCS_CK(zcs_finish(context));
    }
    ck_assert_uint_eq(recordings, 2);
    zcs_test_set_increment_args(kernel, buffer, N, 3); /* still held by a free slot */
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ck_assert_uint_eq(recordings, 2);
    zcs_test_expect_indexed(buffer, N, 1 + 15 + 6 + 3);

    recordings = 0;
    zcs_test_set_increment_args(kernel, buffer, N, 4);
    for (int frame = 0; frame < 10; frame++)
        write_dispatch_read(buffer, kernel, N, 4);
    ck_assert_uint_eq(recordings, 1);
    zcs__vk.vkBeginCommandBuffer = real_begin_command_buffer;
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    zcs_test_context_destroy(context);
}
END_TEST

/* A SPIR-V header followed by `body`, into `words`; returns the word count. */
static size_t spirv_module(uint32_t *words, const uint32_t *body, size_t body_words)
{
    const uint32_t header[5] = {0x07230203u, 0x00010000u, 0, 10, 0};
    memcpy(words, header, sizeof header);
    memcpy(words + 5, body, body_words * sizeof *body);
    return 5 + body_words;
}

START_TEST(malformed_spirv_is_refused_without_reading_past_it)
{
    zcs_context *context = zcs_test_context();
    /* OpEntryPoint GLCompute %1 "main" */
#define ENTRY 5u << 16 | 15u, 5, 1, 0x6e69616du, 0
    const uint32_t id_past_bound[] = {ENTRY,
                                      4u << 16 | 32u,
                                      2,
                                      12,
                                      3, /* OpTypePointer %2 StorageBuffer %3 */
                                      4u << 16 | 59u,
                                      2,
                                      0xfffffff0u,
                                      12}; /* OpVariable, id past */
    const uint32_t short_pointer[] = {ENTRY, 4u << 16 | 59u, 2, 4,
                                      12,    3u << 16 | 32u, 2, 12}; /* OpTypePointer of 3 words */
    const uint32_t zero_length[] = {ENTRY, 0, 1, 2};
    const uint32_t past_the_end[] = {ENTRY, 9u << 16 | 59u, 2, 4};
#undef ENTRY
    const struct {
        const uint32_t *body;
        size_t words;
    } cases[] = {
        {id_past_bound, sizeof id_past_bound / 4},
        {short_pointer, sizeof short_pointer / 4},
        {zero_length, sizeof zero_length / 4},
        {past_the_end, sizeof past_the_end / 4},
    };
    uint32_t words[64];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t count = spirv_module(words, cases[c].body, cases[c].words);
        zcs__spirv_module module;
        zcs_status status =
            zcs__spirv_parse(zcs_test_object(context, ZCS__MAGIC_CONTEXT), words, count, &module);
        ck_assert_msg(status == ZCS_SUCCESS || status == ZCS_ERROR_BUILD ||
                          status == ZCS_ERROR_INVALID_ARGUMENT,
                      "case %zu: %s", c, zcs_status_name(status));
        if (status == ZCS_SUCCESS)
            zcs__spirv_module_free(&module);
    }
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(mutated_spirv_never_reads_past_the_module)
{
    /* Every builtin kernel, each word in turn replaced by values that break lengths, ids
       and bounds: the reader answers, never crashes (the sanitizer build checks reads). */
    zcs_context *context = zcs_test_context();
    FILE *file = fopen(zcs_test_kernel_file("particles_advance"), "rb");
    ck_assert_ptr_nonnull(file);
    static uint32_t original[16384];
    size_t count = fread(original, 4, sizeof original / 4, file);
    fclose(file);
    ck_assert_uint_gt(count, 5);
    static const uint32_t replacements[] = {0, 1, 0xffffu, 0xffff0000u, 0xffffffffu, 0x7fffffffu};
    static uint32_t words[16384];
    size_t parsed = 0;
    for (size_t at = 5; at < count; at++) {
        for (size_t r = 0; r < sizeof replacements / sizeof replacements[0]; r++) {
            memcpy(words, original, count * 4);
            words[at] = replacements[r];
            zcs__spirv_module module;
            if (zcs__spirv_parse(zcs_test_object(context, ZCS__MAGIC_CONTEXT), words, count,
                                 &module) == ZCS_SUCCESS) {
                zcs__spirv_module_free(&module);
                parsed++;
            }
        }
    }
    printf("mutated SPIR-V: %zu modules, %zu still parsed\n",
           (count - 5) * (sizeof replacements / sizeof replacements[0]), parsed);
    zcs_test_context_destroy(context);
}
END_TEST

/* Waits (zcs_context_desc.wait): the calls a wait makes, counted through the table. */
static PFN_vkWaitForFences real_wait_for_fences;
static PFN_vkGetFenceStatus real_get_fence_status;
static PFN_vkWaitSemaphores real_wait_semaphores;
static unsigned long fence_waits, fence_queries, semaphore_waits;

static VKAPI_ATTR VkResult VKAPI_CALL counting_wait_for_fences(VkDevice device, uint32_t count,
                                                               const VkFence *fences, VkBool32 all,
                                                               uint64_t timeout)
{
    fence_waits++;
    return real_wait_for_fences(device, count, fences, all, timeout);
}

static VKAPI_ATTR VkResult VKAPI_CALL counting_get_fence_status(VkDevice device, VkFence fence)
{
    fence_queries++;
    return real_get_fence_status(device, fence);
}

static VKAPI_ATTR VkResult VKAPI_CALL counting_wait_semaphores(VkDevice device,
                                                               const VkSemaphoreWaitInfo *info,
                                                               uint64_t timeout)
{
    semaphore_waits++;
    return real_wait_semaphores(device, info, timeout);
}

static void count_wait_calls(void)
{
    real_wait_for_fences = zcs__vk.vkWaitForFences;
    real_get_fence_status = zcs__vk.vkGetFenceStatus;
    real_wait_semaphores = zcs__vk.vkWaitSemaphores;
    zcs__vk.vkWaitForFences = counting_wait_for_fences;
    zcs__vk.vkGetFenceStatus = counting_get_fence_status;
    zcs__vk.vkWaitSemaphores = counting_wait_semaphores;
    fence_waits = fence_queries = semaphore_waits = 0;
}

static void stop_counting_wait_calls(void)
{
    zcs__vk.vkWaitForFences = real_wait_for_fences;
    zcs__vk.vkGetFenceStatus = real_get_fence_status;
    zcs__vk.vkWaitSemaphores = real_wait_semaphores;
}

/* A context on ZCS_TIER's tier whose waits wait as asked. */
static zcs_context *context_that_waits(zcs_wait wait, uint32_t poll_us)
{
    zcs_context_desc desc = {0};
    desc.wait = wait;
    desc.wait_poll_us = poll_us;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    return context;
}

static zcs_stats stats_of(zcs_context *context)
{
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    return stats;
}

/* What the wait tests below dispatch: an indexed array and the +1 kernel on it, on a
   context whose waits wait as asked, everything before the test finished. */
typedef struct waiting {
    zcs_context *context;
    zcs_array *array;
    zcs_program *program;
    zcs_kernel *kernel;
    size_t count;
} waiting;

static waiting waiting_setup(zcs_wait wait, uint32_t poll_us, uint32_t count)
{
    waiting w = {context_that_waits(wait, poll_us), NULL, NULL, NULL, count};
    w.array = zcs_test_indexed_u32(w.context, count);
    w.kernel = zcs_test_increment_kernel(w.context, w.array, count, 1, &w.program);
    ZCS_CK(zcs_finish(w.context));
    return w;
}

static void waiting_dispatch(waiting *w)
{
    ZCS_CK(zcs_dispatch(w->kernel, 1, &w->count, NULL));
}

static void waiting_teardown(waiting *w)
{
    ZCS_CK(zcs_array_destroy(w->array));
    zcs_kernel_destroy(w->kernel);
    zcs_program_destroy(w->program);
    zcs_test_context_destroy(w->context);
}

/* Under ZCS_WAIT_POLL with a budget far longer than the work, a map after a dispatch and a
   finish each poll the fence until it signals and never block in vkWaitForFences for it
   (the finish's retire still asks the signalled fence once); each counts one device wait
   and one polled wait, and no budget runs out. */
START_TEST(polling_waits_end_without_blocking)
{
    waiting w = waiting_setup(ZCS_WAIT_POLL, 10u * 1000u * 1000u, 4096);
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(w.context, &info));
    ck_assert_int_eq(info.wait, ZCS_WAIT_POLL);
    ck_assert_uint_eq(info.wait_poll_us, 10u * 1000u * 1000u);
    zcs_stats before = stats_of(w.context);
    count_wait_calls();
    waiting_dispatch(&w);
    zcs_test_expect_indexed(w.array, 4096, 1);
    zcs_stats after = stats_of(w.context);
    ck_assert_uint_eq(after.device_waits - before.device_waits, 1);
    ck_assert_uint_eq(after.polled_waits - before.polled_waits, 1);
    ck_assert_uint_eq(after.poll_timeouts, 0);
    ck_assert_uint_eq(fence_waits, 0);
    ck_assert_uint_ge(fence_queries, 1);

    fence_waits = fence_queries = 0;
    waiting_dispatch(&w);
    ZCS_CK(zcs_finish(w.context));
    zcs_stats finished = stats_of(w.context);
    ck_assert_uint_eq(finished.device_waits - after.device_waits, 1);
    ck_assert_uint_eq(finished.polled_waits - after.polled_waits, 1);
    ck_assert_uint_eq(finished.poll_timeouts, 0);
    ck_assert_uint_ge(fence_queries, 1);
    stop_counting_wait_calls();
    zcs_test_expect_indexed(w.array, 4096, 2);
    waiting_teardown(&w);
}
END_TEST

/* Under ZCS_WAIT_BLOCK nothing polls: the map after a dispatch blocks in vkWaitForFences. */
START_TEST(blocking_waits_never_poll)
{
    waiting w = waiting_setup(ZCS_WAIT_BLOCK, 0, 4096);
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(w.context, &info));
    ck_assert_int_eq(info.wait, ZCS_WAIT_BLOCK);
    ck_assert_uint_eq(info.wait_poll_us, 0);
    count_wait_calls();
    waiting_dispatch(&w);
    zcs_test_expect_indexed(w.array, 4096, 1);
    waiting_dispatch(&w);
    ZCS_CK(zcs_finish(w.context));
    ck_assert_uint_eq(fence_waits, 2);
    stop_counting_wait_calls();
    zcs_stats stats = stats_of(w.context);
    ck_assert_uint_eq(stats.polled_waits, 0);
    ck_assert_uint_eq(stats.poll_timeouts, 0);
    waiting_teardown(&w);
}
END_TEST

static VKAPI_ATTR VkResult VKAPI_CALL failing_get_fence_status(VkDevice device, VkFence fence)
{
    (void)device;
    (void)fence;
    fence_queries++;
    return VK_ERROR_UNKNOWN;
}

/* A poll whose query fails stops there and leaves the wait to vkWaitForFences, which
   reports what went wrong, or, as here, sees the work done: the map succeeds, with one
   device wait that polled, no timeout, and one blocking wait. */
START_TEST(a_failing_poll_falls_back_to_the_blocking_wait)
{
    waiting w = waiting_setup(ZCS_WAIT_POLL, 10u * 1000u * 1000u, 1024);
    zcs_stats before = stats_of(w.context);
    count_wait_calls();
    zcs__vk.vkGetFenceStatus = failing_get_fence_status;
    waiting_dispatch(&w);
    zcs_test_expect_indexed(w.array, 1024, 1);
    stop_counting_wait_calls();
    zcs_stats after = stats_of(w.context);
    ck_assert_uint_eq(after.device_waits - before.device_waits, 1);
    ck_assert_uint_eq(after.polled_waits - before.polled_waits, 1);
    ck_assert_uint_eq(after.poll_timeouts - before.poll_timeouts, 0);
    ck_assert_uint_eq(fence_queries, 1);
    ck_assert_uint_eq(fence_waits, 1);
    waiting_teardown(&w);
}
END_TEST

/* The automatic choice's rule on Vulkan, on the device as it would be reported elsewhere:
   a discrete GPU polls (where the process may run on more than one CPU), an integrated GPU
   and a CPU device block. */
START_TEST(automatic_wait_follows_the_device)
{
    zcs_context *context = context_that_waits(ZCS_WAIT_AUTO, 0);
    zcs_context *object = zcs_test_object(context, ZCS__MAGIC_CONTEXT);
    zcs_context_info real = object->info;

    object->info.is_gpu = 1;
    object->info.unified_memory = 0;
    zcs__wait_resolve(object, ZCS_WAIT_AUTO, 0, "the test");
    if (object->info.wait == ZCS_WAIT_POLL) {
        ck_assert_uint_eq(object->info.wait_poll_us, ZCS_DEFAULT_WAIT_POLL_US);
        ck_assert_ptr_nonnull(strstr(object->info.wait_reason, "a discrete GPU"));
    } else {
        ck_assert_int_eq(object->info.wait, ZCS_WAIT_BLOCK);
        ck_assert_ptr_nonnull(strstr(object->info.wait_reason, "may run on 1 CPU"));
    }
    zcs__wait_resolve(object, ZCS_WAIT_AUTO, 50, "the test");
    if (object->info.wait == ZCS_WAIT_POLL)
        ck_assert_uint_eq(object->info.wait_poll_us, 50);

    object->info.unified_memory = 1;
    zcs__wait_resolve(object, ZCS_WAIT_AUTO, 0, "the test");
    ck_assert_int_eq(object->info.wait, ZCS_WAIT_BLOCK);
    ck_assert_uint_eq(object->info.wait_poll_us, 0);
    ck_assert_ptr_nonnull(strstr(object->info.wait_reason, "an integrated GPU"));

    object->info.is_gpu = 0;
    zcs__wait_resolve(object, ZCS_WAIT_AUTO, 0, "the test");
    ck_assert_int_eq(object->info.wait, ZCS_WAIT_BLOCK);
    ck_assert_ptr_nonnull(strstr(object->info.wait_reason, "a CPU device"));

    object->info.is_gpu = 0;
    object->info.unified_memory = 0;
    zcs__wait_resolve(object, ZCS_WAIT_POLL, 9, "the test");
    ck_assert_int_eq(object->info.wait, ZCS_WAIT_POLL);
    ck_assert_uint_eq(object->wait_poll_ns, 9000);
    ck_assert_ptr_nonnull(strstr(object->info.wait_reason, "forced by the test"));

    object->info.is_gpu = real.is_gpu;
    object->info.unified_memory = real.unified_memory;
    zcs__wait_resolve(object, real.wait, real.wait_poll_us, "the test");
    zcs_test_context_destroy(context);
}
END_TEST

/* The application's timeline semaphore, signalled from the host after a delay. */
/* The application's timeline semaphore, signalled from the host by another thread once the
   map's poll has begun (`watch` 0: polled_waits grew) or its budget ran out (`watch` 1:
   poll_timeouts grew), or after 10 s, so that neither case depends on timing. */
typedef struct late_signal {
    zcs_context *context;
    VkDevice device;
    VkSemaphore semaphore;
    PFN_vkSignalSemaphore signal;
    int watch;
    uint64_t start;
} late_signal;

static uint64_t watched(const late_signal *late)
{
    zcs_stats stats;
    if (zcs_stats_get(late->context, &stats) != ZCS_SUCCESS)
        return UINT64_MAX;
    return late->watch == 0 ? stats.polled_waits : stats.poll_timeouts;
}

static void *signal_late(void *argument)
{
    const late_signal *late = argument;
    for (int i = 0; i < 100000 && watched(late) <= late->start; i++) {
        struct timespec pause = {0, 100 * 1000};
        nanosleep(&pause, NULL);
    }
    VkSemaphoreSignalInfo info = {
        .sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO,
        .semaphore = late->semaphore,
        .value = 1,
    };
    late->signal(late->device, &info);
    return NULL;
}

/* Without the validation layer: the layer of Vulkan SDK 1.3.239 misses a timeline value
   signalled from another thread while a vkWaitSemaphores is in progress, waits 10 s for it
   and reports "Timeout waiting for timeline semaphore state to update. This is most likely a
   validation bug." (UNASSIGNED-VkSemaphore-state-timeout). */
static char layer_setting[256];
static int layer_was_set;

static void without_the_layer(void)
{
    const char *value = getenv("ZCS_VULKAN_VALIDATION");
    layer_was_set = value != NULL;
    snprintf(layer_setting, sizeof layer_setting, "%s", value != NULL ? value : "");
    unsetenv("ZCS_VULKAN_VALIDATION");
}

static void with_the_layer_again(void)
{
    if (layer_was_set)
        setenv("ZCS_VULKAN_VALIDATION", layer_setting, 1);
}

/* A map of an array the application still works on (zcs_vulkan_array_used_by) polls the
   application's timeline value: with a budget of 1 us the poll runs out before the
   application signals (it waits for the timeout), and the wait then blocks in
   vkWaitSemaphores; with a budget of 10 s the application signals while the poll runs, and
   the wait never blocks. */
START_TEST(a_poll_whose_budget_runs_out_blocks)
{
    static const uint32_t budgets[] = {1, 10u * 1000u * 1000u};
    for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
        zcs_context *context = context_that_waits(ZCS_WAIT_POLL, budgets[b]);
        zcs_vulkan_context_objects objects;
        ZCS_CK(zcs_vulkan_context_native(context, &objects));
        if ((objects.features & ZCS_VULKAN_FEATURE_TIMELINE_SEMAPHORE) == 0) {
            zcs_test_context_destroy(context);
            return; /* no timeline semaphores: nothing to declare */
        }
        late_signal late = {
            context,
            objects.device,
            VK_NULL_HANDLE,
            (PFN_vkSignalSemaphore)vkGetDeviceProcAddr(objects.device, "vkSignalSemaphore"),
            b == 0 ? 1 : 0,
            0,
        };
        ck_assert_msg(late.signal != NULL, "no vkSignalSemaphore");
        VkSemaphoreTypeCreateInfo type = {
            .sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
            .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
        };
        VkSemaphoreCreateInfo create = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO,
                                        .pNext = &type};
        ck_assert_int_eq(vkCreateSemaphore(objects.device, &create, NULL, &late.semaphore),
                         VK_SUCCESS);
        zcs_array *array = zcs_test_indexed_u32(context, 64);
        ZCS_CK(zcs_vulkan_array_used_by(array, late.semaphore, 1));
        zcs_stats before = stats_of(context);
        late.start = b == 0 ? before.poll_timeouts : before.polled_waits;
        count_wait_calls();
        pthread_t thread;
        ck_assert_int_eq(pthread_create(&thread, NULL, signal_late, &late), 0);
        zcs_test_expect_indexed(array, 64, 0);
        ck_assert_int_eq(pthread_join(thread, NULL), 0);
        zcs_stats after = stats_of(context);
        /* The staged tier's map waits for the application on the host, then for its copy
           from the device memory: two waits, each polled. */
        uint64_t waits = zcs_array_tier(array) == ZCS_TIER_STAGED ? 2 : 1;
        ck_assert_uint_eq(after.device_waits - before.device_waits, waits);
        ck_assert_uint_eq(after.polled_waits - before.polled_waits, waits);
        if (b == 0)
            ck_assert_uint_ge(after.poll_timeouts - before.poll_timeouts, 1);
        else
            ck_assert_uint_eq(after.poll_timeouts - before.poll_timeouts, 0);
        ck_assert_uint_eq(semaphore_waits, b == 0 ? 1 : 0);
        stop_counting_wait_calls();
        ZCS_CK(zcs_array_destroy(array));
        vkDestroySemaphore(objects.device, late.semaphore, NULL);
        zcs_test_context_destroy(context);
    }
}
END_TEST

static Suite *vulkan_suite(void)
{
    Suite *suite = suite_create("vulkan");
    TCase *tc = tcase_create("vulkan");
    tcase_add_test(tc, small_arrays_share_one_allocation);
    tcase_add_test(tc, large_arrays_get_their_own_allocation);
    tcase_add_test(tc, non_coherent_memory_is_flushed_and_invalidated);
    tcase_add_test(tc, arrays_past_the_storage_buffer_range_are_refused);
    tcase_add_test(tc, a_failing_call_is_named_with_its_error);
    tcase_add_test(tc, repeated_dispatches_record_once);
    tcase_add_test(tc, malformed_spirv_is_refused_without_reading_past_it);
    tcase_add_test(tc, mutated_spirv_never_reads_past_the_module);
    tcase_add_test(tc, polling_waits_end_without_blocking);
    tcase_add_test(tc, blocking_waits_never_poll);
    tcase_add_test(tc, automatic_wait_follows_the_device);
    tcase_add_test(tc, a_failing_poll_falls_back_to_the_blocking_wait);
    suite_add_tcase(suite, tc);
    TCase *no_layer = tcase_create("without_the_validation_layer");
    tcase_add_checked_fixture(no_layer, without_the_layer, with_the_layer_again);
    tcase_add_test(no_layer, a_poll_whose_budget_runs_out_blocks);
    suite_add_tcase(suite, no_layer);
    return suite;
}

int main(void)
{
    return zcs_test_run(vulkan_suite());
}
