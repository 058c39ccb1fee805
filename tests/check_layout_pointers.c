/*
 * Structs that hold native pointers (ZCS_PTR) to elements of other zcs arrays: a linked
 * list built by the host, walked and changed by a kernel, read back by the host. Runs
 * where arrays have device addresses: OpenCL SVM (the host's own pointers) and Vulkan
 * buffer device addresses; elsewhere (OpenCL host_ptr) the suite exits with 77
 * (skipped) and prints the reason.
 */
#define _POSIX_C_SOURCE 200809L /* fork */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zcs/struct_check.h>

#include "layout/pointers.h"
#include "support/zcs_test.h"

#define SKIP_EXIT_CODE 77

static const char walk_kernel_opencl[] =
    "kernel void plist_walk(global lt_pnode *head, uint count)\n"
    "{\n"
    "    uint i = (uint)get_global_id(0);\n"
    "    if (i >= count)\n"
    "        return;\n"
    "    /* Work item i walks from the i-th node of the list, found by following pointers. */\n"
    "    global lt_pnode *self = head;\n"
    "    for (uint k = 0; k < i; k++)\n"
    "        self = self->next;\n"
    "    uint sum = 0;\n"
    "    for (global lt_pnode *p = self; p != 0; p = p->next)\n"
    "        sum += p->value;\n"
    "    self->sum = sum;\n"
    "    self->payload->visits += 1;\n"
    "    self->payload->weight = (float)sum;\n"
    "}\n";

/* The same walk in GLSL: a ZCS_PTR is a uint64_t device address, followed through
   buffer_reference types. The head arrives as a value (a push constant). */
static const char walk_kernel_glsl[] =
    "layout(buffer_reference, std430, buffer_reference_align = 8) buffer lt_pnode_ref\n"
    "{\n"
    "    lt_pnode node;\n"
    "};\n"
    "layout(buffer_reference, std430, buffer_reference_align = 4) buffer lt_ppayload_ref\n"
    "{\n"
    "    lt_ppayload payload;\n"
    "};\n"
    "layout(local_size_x_id = 0) in;\n"
    "layout(push_constant) uniform Args\n"
    "{\n"
    "    uint64_t head;\n"
    "    uint count;\n"
    "};\n"
    "void main()\n"
    "{\n"
    "    uint i = gl_GlobalInvocationID.x;\n"
    "    if (i >= count)\n"
    "        return;\n"
    "    uint64_t self = head;\n"
    "    for (uint k = 0u; k < i; k++)\n"
    "        self = lt_pnode_ref(self).node.next;\n"
    "    uint sum = 0u;\n"
    "    for (uint64_t p = self; p != 0ul; p = lt_pnode_ref(p).node.next)\n"
    "        sum += lt_pnode_ref(p).node.value;\n"
    "    lt_pnode_ref(self).node.sum = sum;\n"
    "    lt_ppayload_ref payload = lt_ppayload_ref(lt_pnode_ref(self).node.payload);\n"
    "    payload.payload.visits += 1u;\n"
    "    payload.payload.weight = float(sum);\n"
    "}\n";

/*
 * The walk program: OpenCL C takes the header as it is (its #include through -I); GLSL
 * gets #version and buffer_reference first, then zcs/layout.h and the header inline.
 */
static zcs_program *walk_program(zcs_context *context, const char *header)
{
    zcs_program *program = NULL;
    char *text = NULL;
    if (zcs_test_backend() == ZCS_BACKEND_OPENCL) {
        size_t size = strlen(header) + sizeof walk_kernel_opencl + 2;
        text = malloc(size);
        ck_assert_ptr_nonnull(text);
        snprintf(text, size, "%s\n%s", header, walk_kernel_opencl);
        char options[1200];
        snprintf(options, sizeof options, "-I %s/include", ZCS_TEST_SOURCE_DIR);
        ZCS_CK(zcs_program_create_from_source(context, text, 0, options, &program));
    } else {
        static const char prologue[] = "#version 450\n"
                                       "#extension GL_EXT_buffer_reference : require\n";
        text = zcs_test_compose_source(prologue, header, walk_kernel_glsl);
        ZCS_CK(zcs_program_create_from_source(context, text, 0, NULL, &program));
    }
    free(text);
    return program;
}

START_TEST(linked_list_with_native_pointers_round_trips)
{
    enum { COUNT = 500 };
    zcs_context *context = zcs_test_context();
    char *header = zcs_test_read_source("tests/layout/pointers.h");
    static const zcs_field_desc fields[] = {
        ZCS_FIELD(lt_pnode, value),
        ZCS_FIELD(lt_pnode, sum),
        ZCS_FIELD(lt_pnode, next),
        ZCS_FIELD(lt_pnode, payload),
    };
    zcs_struct_desc desc = ZCS_STRUCT_DESC(lt_pnode, fields, header);
    ZCS_CK(zcs_struct_check(context, &desc, NULL));

    /* Nodes in a shuffled order inside their array; payloads in another array. */
    zcs_array *nodes_buffer = NULL, *payloads_buffer = NULL;
    ZCS_CK(ZCS_ARRAY_CREATE(context, lt_pnode, COUNT, 0, &nodes_buffer));
    ZCS_CK(ZCS_ARRAY_CREATE(context, lt_ppayload, COUNT, 0, &payloads_buffer));
    uint64_t nodes_address = 0, payloads_address = 0;
    ZCS_CK(zcs_array_device_address(nodes_buffer, &nodes_address));
    ZCS_CK(zcs_array_device_address(payloads_buffer, &payloads_address));
    static uint32_t order[COUNT];
    for (uint32_t i = 0; i < COUNT; i++)
        order[i] = (i * 7919u) % COUNT; /* 7919 is prime to COUNT: a permutation */
    lt_pnode *nodes = NULL;
    lt_ppayload *payloads = NULL;
    ZCS_CK(zcs_array_map(nodes_buffer, ZCS_MAP_WRITE_DISCARD, (void **)&nodes));
    ZCS_CK(zcs_array_map(payloads_buffer, ZCS_MAP_WRITE_DISCARD, (void **)&payloads));
    for (uint32_t k = 0; k < COUNT; k++) {
        lt_pnode *node = &nodes[order[k]];
        node->value = k + 1;
        node->sum = 0;
        node->next = k + 1 < COUNT ? ZCS_DEVICE_PTR(lt_pnode, nodes_address, order[k + 1]) : NULL;
        node->payload = ZCS_DEVICE_PTR(lt_ppayload, payloads_address, k);
        payloads[k].weight = 0.0f;
        payloads[k].visits = 0;
    }
    ZCS_CK(zcs_array_unmap(payloads_buffer));
    ZCS_CK(zcs_array_unmap(nodes_buffer));

    zcs_program *program = walk_program(context, header);
    free(header);
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_kernel_create(
        program, zcs_test_backend() == ZCS_BACKEND_OPENCL ? "plist_walk" : "main", &kernel));

    /* Every node and every payload is reached through pointers stored in the nodes. The
       list's head is the nodes' array itself on OpenCL (the array argument points at its
       first element, which is the head), its device address on Vulkan. */
    zcs_array *reachable[] = {nodes_buffer, payloads_buffer};
    ZCS_CK(zcs_kernel_set_indirect(kernel, reachable, 2));
    ck_assert_uint_eq(order[0], 0);
    uint32_t count = COUNT;
    if (zcs_test_backend() == ZCS_BACKEND_OPENCL) {
        ZCS_CK(zcs_kernel_set_array(kernel, 0, nodes_buffer));
    } else {
        uint64_t head = (uint64_t)(uintptr_t)ZCS_DEVICE_PTR(lt_pnode, nodes_address, order[0]);
        ZCS_CK(zcs_kernel_set_value(kernel, 0, sizeof head, &head));
    }
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    size_t global = COUNT;
    /* An array reached only through pointers is ordered like an argument: no dispatch
       while the host has it mapped. */
    ZCS_CK(zcs_array_map(payloads_buffer, ZCS_MAP_READ, (void **)&payloads));
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_MAPPED);
    ZCS_CK(zcs_array_unmap(payloads_buffer));
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    /* No zcs_finish: the payloads are no argument, but zcs_kernel_set_indirect made the
       dispatch a user of them, so mapping them waits for it like mapping the nodes. */

    ZCS_CK(zcs_array_map(nodes_buffer, ZCS_MAP_READ, (void **)&nodes));
    ZCS_CK(zcs_array_map(payloads_buffer, ZCS_MAP_READ, (void **)&payloads));
    for (uint32_t k = 0; k < COUNT; k++) {
        const lt_pnode *node = &nodes[order[k]];
        uint32_t expected = 0;
        for (uint32_t j = k; j < COUNT; j++)
            expected += j + 1;
        ck_assert_msg(node->sum == expected, "list node %u: sum %u, expected %u", k, node->sum,
                      expected);
        /* The pointers are the ones the host stored... */
        ck_assert_ptr_eq(node->next, k + 1 < COUNT
                                         ? ZCS_DEVICE_PTR(lt_pnode, nodes_address, order[k + 1])
                                         : NULL);
        ck_assert_ptr_eq(node->payload, ZCS_DEVICE_PTR(lt_ppayload, payloads_address, k));
        ck_assert_uint_eq(payloads[k].visits, 1);
        ck_assert(payloads[k].weight == (float)expected);
        /* ...and on SVM the host follows the very pointers the kernel followed. */
        if (zcs_test_backend() == ZCS_BACKEND_OPENCL) {
            ck_assert_ptr_eq(node->next, k + 1 < COUNT ? &nodes[order[k + 1]] : NULL);
            ck_assert_ptr_eq(node->payload, &payloads[k]);
        }
    }
    ZCS_CK(zcs_array_unmap(payloads_buffer));
    ZCS_CK(zcs_array_unmap(nodes_buffer));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(nodes_buffer));
    ZCS_CK(zcs_array_destroy(payloads_buffer));
    zcs_test_context_destroy(context);
}
END_TEST

/*
 * Whether the tier under test shares addresses, asked in a child process (a context made
 * before Check forks would hang the tests). Prints the reason when not.
 */
static int native_pointers_available(void)
{
    pid_t child = fork();
    if (child == 0) {
        zcs_context *context = NULL;
        zcs_array *buffer = NULL;
        uint64_t address = 0;
        zcs_status status = zcs_context_create(NULL, &context);
        if (status == ZCS_SUCCESS)
            status = zcs_array_create(context, 16, 1, 0, &buffer);
        if (status == ZCS_SUCCESS)
            status = zcs_array_device_address(buffer, &address);
        if (status != ZCS_SUCCESS)
            printf("SKIP native pointers (%s): %s\n", zcs_status_name(status), zcs_last_error());
        fflush(stdout);
        zcs_context_destroy(context);
        _exit(status == ZCS_SUCCESS ? 0 : status == ZCS_ERROR_UNSUPPORTED ? SKIP_EXIT_CODE : 1);
    }
    int wstatus = 0;
    if (child < 0 || waitpid(child, &wstatus, 0) != child || !WIFEXITED(wstatus))
        return -1;
    return WEXITSTATUS(wstatus) == 0 ? 1 : WEXITSTATUS(wstatus) == SKIP_EXIT_CODE ? 0 : -1;
}

int main(void)
{
    int available = native_pointers_available();
    if (available == 0)
        return SKIP_EXIT_CODE;
    if (available < 0) {
        fprintf(stderr, "could not create a context to ask for native pointers\n");
        return EXIT_FAILURE;
    }
    Suite *suite = suite_create("layout_pointers");
    TCase *tcase = tcase_create("native_pointers");
    tcase_add_test(tcase, linked_list_with_native_pointers_round_trips);
    suite_add_tcase(suite, tcase);
    return zcs_test_run(suite);
}
