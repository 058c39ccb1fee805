/*
 * The raw Vulkan harness behind the benchmark's Vulkan baselines (modes_vulkan.c): one
 * instance and device on the device zcs chose, which every zcs mode attaches to too
 * (bench_device_attach), the particle kernel's pipeline (the
 * SPIR-V the library's build compiled from kernels/particles_advance.comp), buffers with
 * memory of their own, and one command buffer per mode, the way most Vulkan code does it.
 */
#ifndef ZCS_BENCH_VULKAN_HARNESS_H
#define ZCS_BENCH_VULKAN_HARNESS_H

#include <vulkan/vulkan.h>

#include <zcs/zcs_vulkan.h>

#include "bench.h"

/* Work-group size, as zcs chooses for a 1-D grid. */
#define BENCH_VK_LOCAL 64u

/* The process-wide objects, made by bench_vk_init and released by bench_raw_release. */
typedef struct bench_vk_globals {
    VkInstance instance;
    VkPhysicalDevice physical;
    VkPhysicalDeviceMemoryProperties memory;
    uint32_t max_groups;
    uint32_t family;
    /* The Vulkan version in use: the lower of the loader's (up to 1.3) and the device's. */
    uint32_t api_version;
    /* zcs_vulkan_device_features bits the device was made with (declared at attach). */
    uint32_t features;
    VkDevice device;
    /* The one queue, which the zcs contexts submit to as well. */
    VkQueue queue;
    VkCommandPool pool;
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout layout;
    VkPipeline pipeline;
    VkDescriptorPool descriptors;
    int ready;
    int failed; /* bench_vk_init failed once: not tried again */
} bench_vk_globals;

extern bench_vk_globals bench_vk;

/* A buffer with its own memory of a type with `want` properties (and `prefer` if any). */
typedef struct bench_vk_buffer {
    VkBuffer buffer;
    VkDeviceMemory memory;
    void *mapped;
} bench_vk_buffer;

typedef struct bench_vk_state {
    size_t count;
    VkDeviceSize size;
    bench_vk_buffer shared;  /* raw-vulkan_mapped: the one host-visible buffer */
    bench_vk_buffer device;  /* copy, kernel: device-local */
    bench_vk_buffer staging; /* copy, kernel: host-visible staging */
    VkDescriptorSet set;
    VkCommandBuffer commands;
    VkFence fence;
} bench_vk_state;

/* Print "zcs-bench: <what> failed: <result>" and return -1. */
int bench_vk_fail(const char *what, VkResult result);

/* Make the globals on `device` once; 0, or -1 with the reason printed (and nothing left
   made; a later call fails at once). */
int bench_vk_init(const bench_device *device);

/* One pipeline barrier between `src` and `dst` for the whole of memory. */
void bench_vk_barrier(VkCommandBuffer cb, VkPipelineStageFlags src, VkAccessFlags src_access,
                      VkPipelineStageFlags dst, VkAccessFlags dst_access);

/* Record the particle kernel's dispatch over s->count structs into s->commands. */
void bench_vk_record_dispatch(bench_vk_state *s);

/* Make the buffers for `count` structs and record the frame's command buffer once.
   kind: 0 copy (device-local plus staging, copies both ways), 1 mapped (one host-visible
   buffer), 2 the kernel alone. */
int bench_vk_prepare(bench_vk_state *s, size_t count, int kind);

/* Submit s->commands and, when `wait`, wait for its fence. */
int bench_vk_submit(bench_vk_state *s, int wait);

/* Release what bench_vk_prepare made (after the device is idle). */
void bench_vk_free(bench_vk_state *s);

#endif /* ZCS_BENCH_VULKAN_HARNESS_H */
