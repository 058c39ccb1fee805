/*
 * Structs that refer to other shared structs: a linked list with zcs_ref indices, built
 * by the host in a shuffled order, walked and changed by a kernel and read back, on every
 * tier of both backends; and device addresses where the tier has them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zcs/struct_check.h>

#include "layout/list.h"
#include "support/zcs_test.h"

/* ---- a linked list with zcs_ref indices, every tier and backend ---- */

static const char list_kernel_opencl[] =
    "kernel void list_walk(global lt_node *nodes, global lt_payload *payloads, uint count)\n"
    "{\n"
    "    uint i = (uint)get_global_id(0);\n"
    "    if (i >= count)\n"
    "        return;\n"
    "    global lt_node *self = &nodes[i];\n"
    "    uint sum = 0, depth = 0;\n"
    "    for (global lt_node *p = self; p != 0; p = ZCS_REF_GET(nodes, p->next)) {\n"
    "        sum += p->value;\n"
    "        depth++;\n"
    "    }\n"
    "    self->sum = sum;\n"
    "    self->depth = depth;\n"
    "    if (!ZCS_REF_IS_NULL(self->next))\n"
    "        nodes[self->next].prev = i;\n"
    "    ZCS_REF_GET(payloads, self->payload)->visits = depth;\n"
    "}\n";

static const char list_kernel_glsl[] =
    "layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;\n"
    "layout(std430, set = 0, binding = 0) buffer Nodes { lt_node nodes[]; };\n"
    "layout(std430, set = 0, binding = 1) buffer Payloads { lt_payload payloads[]; };\n"
    "layout(push_constant, std430) uniform Args { uint count; } args;\n"
    "void main()\n"
    "{\n"
    "    uint i = gl_GlobalInvocationID.x;\n"
    "    if (i >= args.count)\n"
    "        return;\n"
    "    uint sum = 0u, depth = 0u;\n"
    "    for (zcs_ref r = i; !ZCS_REF_IS_NULL(r); r = nodes[r].next) {\n"
    "        sum += nodes[r].value;\n"
    "        depth++;\n"
    "    }\n"
    "    nodes[i].sum = sum;\n"
    "    nodes[i].depth = depth;\n"
    "    if (!ZCS_REF_IS_NULL(nodes[i].next))\n"
    "        nodes[nodes[i].next].prev = i;\n"
    "    payloads[nodes[i].payload].visits = depth;\n"
    "}\n";

/*
 * Kernel source in the backend's language: [#version] + zcs/layout.h + the shared header
 * (its include line dropped, as zcs_struct_check does) + the kernel.
 */
static char *compose_program(const char *header_file, const char *kernel_text)
{
    char *header = zcs_test_read_source(header_file);
    char *text = zcs_test_compose_source(
        (zcs_test_backend() == ZCS_BACKEND_OPENCL) ? "" : "#version 450\n", header, kernel_text);
    free(header);
    return text;
}

/* A permutation of 0..count-1 from a fixed seed: the list order differs from the array's. */
static void shuffled_order(uint32_t *order, uint32_t count)
{
    uint32_t state = 12345u;
    for (uint32_t i = 0; i < count; i++)
        order[i] = i;
    for (uint32_t i = count - 1; i > 0; i--) {
        state = state * 1664525u + 1013904223u;
        uint32_t j = state % (i + 1);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

START_TEST(linked_list_with_refs_round_trips)
{
    enum { COUNT = 2000 };
    zcs_context *context = zcs_test_context();

    /* The layout the kernel relies on, checked first. */
    char *header = zcs_test_read_source("tests/layout/list.h");
    static const zcs_field_desc node_fields[] = {
        ZCS_FIELD(lt_node, value), ZCS_FIELD(lt_node, sum),  ZCS_FIELD(lt_node, depth),
        ZCS_FIELD(lt_node, next),  ZCS_FIELD(lt_node, prev), ZCS_FIELD(lt_node, payload),
    };
    static const zcs_field_desc payload_fields[] = {ZCS_FIELD(lt_payload, weight),
                                                    ZCS_FIELD(lt_payload, visits)};
    zcs_struct_desc node_desc = ZCS_STRUCT_DESC(lt_node, node_fields, header);
    zcs_struct_desc payload_desc = ZCS_STRUCT_DESC(lt_payload, payload_fields, header);
    ZCS_CK(zcs_struct_check(context, &node_desc, NULL));
    ZCS_CK(zcs_struct_check(context, &payload_desc, NULL));
    free(header);

    /* The host builds the list in a shuffled order; node k of the list has payload
       COUNT - 1 - k. */
    static uint32_t order[COUNT];
    shuffled_order(order, COUNT);
    zcs_array *nodes_buffer = NULL, *payloads_buffer = NULL;
    ZCS_CK(ZCS_ARRAY_CREATE(context, lt_node, COUNT, 0, &nodes_buffer));
    ZCS_CK(ZCS_ARRAY_CREATE(context, lt_payload, COUNT, 0, &payloads_buffer));
    lt_node *nodes = NULL;
    lt_payload *payloads = NULL;
    zcs_stats before;
    ZCS_CK(zcs_stats_get(context, &before)); /* the struct check's own arrays came first */
    ZCS_CK(zcs_array_map(nodes_buffer, ZCS_MAP_WRITE_DISCARD, (void **)&nodes));
    ZCS_CK(zcs_array_map(payloads_buffer, ZCS_MAP_WRITE_DISCARD, (void **)&payloads));
    for (uint32_t k = 0; k < COUNT; k++) {
        lt_node *node = &nodes[order[k]];
        node->value = k + 1;
        node->sum = 0;
        node->depth = 0;
        node->next = k + 1 < COUNT ? ZCS_REF_TO(nodes, &nodes[order[k + 1]]) : ZCS_REF_NULL;
        node->prev = ZCS_REF_NULL;
        node->payload = COUNT - 1 - k;
        payloads[k].weight = (float)k;
        payloads[k].visits = 0;
    }
    ZCS_CK(zcs_array_unmap(payloads_buffer));
    ZCS_CK(zcs_array_unmap(nodes_buffer));

    char *text = compose_program("tests/layout/list.h", (zcs_test_backend() == ZCS_BACKEND_OPENCL)
                                                            ? list_kernel_opencl
                                                            : list_kernel_glsl);
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_source(context, text, 0, NULL, &program));
    free(text);
    ZCS_CK(zcs_kernel_create(
        program, (zcs_test_backend() == ZCS_BACKEND_OPENCL) ? "list_walk" : "main", &kernel));
    uint32_t count = COUNT;
    ZCS_CK(zcs_kernel_set_array(kernel, 0, nodes_buffer));
    ZCS_CK(zcs_kernel_set_array(kernel, 1, payloads_buffer));
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof count, &count));
    size_t global = COUNT;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));

    /* Every node: the sum of the values from it to the end, its depth, its predecessor;
       every payload: visited by the node that refers to it. */
    ZCS_CK(zcs_array_map(nodes_buffer, ZCS_MAP_READ, (void **)&nodes));
    ZCS_CK(zcs_array_map(payloads_buffer, ZCS_MAP_READ, (void **)&payloads));
    for (uint32_t k = 0; k < COUNT; k++) {
        const lt_node *node = &nodes[order[k]];
        uint32_t expected_sum = 0;
        for (uint32_t j = k; j < COUNT; j++)
            expected_sum += j + 1;
        ck_assert_uint_eq(node->value, k + 1);
        ck_assert_msg(node->sum == expected_sum, "list node %u: sum %u, expected %u", k, node->sum,
                      expected_sum);
        ck_assert_uint_eq(node->depth, COUNT - k);
        ck_assert_uint_eq(node->prev, k == 0 ? ZCS_REF_NULL : order[k - 1]);
        ck_assert_ptr_eq(ZCS_REF_GET(nodes, node->next),
                         k + 1 < COUNT ? &nodes[order[k + 1]] : NULL);
        ck_assert_uint_eq(payloads[COUNT - 1 - k].visits, COUNT - k);
        ck_assert(payloads[COUNT - 1 - k].weight == (float)(COUNT - 1 - k));
    }
    ZCS_CK(zcs_array_unmap(payloads_buffer));
    ZCS_CK(zcs_array_unmap(nodes_buffer));

    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    /* Zero-copy on a unified device; on the staged tier each array is copied in once
       (the unmap after WRITE_DISCARD) and out once (the READ map), exactly. */
    if (info.tier == ZCS_TIER_STAGED)
        ck_assert_uint_eq(stats.bytes_copied - before.bytes_copied,
                          2 * (uint64_t)COUNT * (sizeof(lt_node) + sizeof(lt_payload)));
    else if (info.unified_memory)
        ck_assert_uint_eq(stats.bytes_copied, 0);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(nodes_buffer));
    ZCS_CK(zcs_array_destroy(payloads_buffer));
    zcs_test_context_destroy(context);
}
END_TEST

/* Native pointers: offered on the OpenCL SVM tiers, refused with the reason elsewhere
   (the round trip itself is tests/check_layout_pointers.c). */
START_TEST(device_addresses_follow_the_tier)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    zcs_array *buffer = NULL;
    ZCS_CK(zcs_array_create(context, 16, 4, 0, &buffer));
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_source(context, zcs_test_good_source(), 0, NULL, &program));
    ZCS_CK(zcs_kernel_create(
        program, (zcs_test_backend() == ZCS_BACKEND_OPENCL) ? "fill_u32" : "main", &kernel));
    uint64_t address = 0;
    ZCS_CK_STATUS(zcs_array_device_address(buffer, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_kernel_set_indirect(kernel, NULL, 1), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_kernel_set_indirect(kernel, &buffer, ZCS_MAX_INDIRECT_ARRAYS + 1),
                  ZCS_ERROR_INVALID_ARGUMENT);
    if (info.tier == ZCS_TIER_SVM_FINE || info.tier == ZCS_TIER_SVM_COARSE) {
        ZCS_CK(zcs_array_device_address(buffer, &address));
        void *ptr = NULL;
        ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ_WRITE, &ptr));
        ck_assert_ptr_eq((void *)(uintptr_t)address, ptr);
        ZCS_CK(zcs_array_unmap(buffer));
        ZCS_CK(zcs_kernel_set_indirect(kernel, &buffer, 1));
        ZCS_CK(zcs_kernel_set_indirect(kernel, NULL, 0));
    } else if (info.tier == ZCS_TIER_VULKAN_MAPPED) {
        /* Buffer device addresses (lavapipe offers them): an address the host cannot
           dereference, distinct per array, aligned like the array. */
        ZCS_CK(zcs_array_device_address(buffer, &address));
        ck_assert_uint_ne(address, 0);
        ck_assert_uint_eq(address % info.alignment, 0);
        zcs_array *other = NULL;
        uint64_t other_address = 0;
        ZCS_CK(zcs_array_create(context, 16, 4, 0, &other));
        ZCS_CK(zcs_array_device_address(other, &other_address));
        ck_assert(other_address >= address + 64 || address >= other_address + 64);
        ZCS_CK(zcs_kernel_set_indirect(kernel, &buffer, 1));
        ZCS_CK(zcs_kernel_set_indirect(kernel, NULL, 0));
        ZCS_CK(zcs_array_destroy(other));
    } else if (info.tier == ZCS_TIER_STAGED && info.backend == ZCS_BACKEND_VULKAN) {
        /* Device-local buffers have device addresses too (lavapipe offers them). */
        ZCS_CK(zcs_array_device_address(buffer, &address));
        ck_assert_uint_ne(address, 0);
        ZCS_CK(zcs_kernel_set_indirect(kernel, &buffer, 1));
        ZCS_CK(zcs_kernel_set_indirect(kernel, NULL, 0));
    } else {
        ZCS_CK_STATUS(zcs_array_device_address(buffer, &address), ZCS_ERROR_UNSUPPORTED);
        ck_assert_ptr_nonnull(strstr(zcs_last_error(), "zcs_ref"));
        ZCS_CK_STATUS(zcs_kernel_set_indirect(kernel, &buffer, 1), ZCS_ERROR_UNSUPPORTED);
        ck_assert_ptr_nonnull(strstr(zcs_last_error(), "zcs_ref"));
        printf("native pointers on %s: %s\n", zcs_tier_name(info.tier), zcs_last_error());
    }
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *layout_refs_suite(void)
{
    Suite *suite = suite_create("layout_refs");
    TCase *references = tcase_create("references");
    tcase_add_test(references, linked_list_with_refs_round_trips);
    tcase_add_test(references, device_addresses_follow_the_tier);
    suite_add_tcase(suite, references);
    return suite;
}

int main(void)
{
    return zcs_test_run(layout_refs_suite());
}
