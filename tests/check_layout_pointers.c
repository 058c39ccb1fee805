/*
 * Structs that hold native pointers (ZCS_PTR) to elements of other zcs arrays: a linked
 * list built by the host, walked and changed by a kernel, read back by the host. Runs
 * where the context's tier has addresses shared by host and device (OpenCL SVM); on
 * other tiers and backends the suite exits with 77 (skipped) and prints the reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zcs/zcs_layout.h>

#include "layout/pointers.h"
#include "support/zcs_test.h"

#define SKIP_EXIT_CODE 77

static char *read_source_file(const char *relative_path)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ZCS_TEST_SOURCE_DIR, relative_path);
    FILE *file = fopen(path, "rb");
    ck_assert_msg(file != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(file, 0, SEEK_END), 0);
    long length = ftell(file);
    ck_assert_int_ge(length, 0);
    ck_assert_int_eq(fseek(file, 0, SEEK_SET), 0);
    char *text = malloc((size_t)length + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)length, file), (size_t)length);
    text[length] = '\0';
    fclose(file);
    return text;
}

static const char walk_kernel[] =
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

START_TEST(linked_list_with_native_pointers_round_trips)
{
    enum { COUNT = 500 };
    zcs_context *context = zcs_test_context();
    char *header = read_source_file("tests/layout/pointers.h");
    static const zcs_field_desc fields[] = {
        ZCS_FIELD(lt_pnode, value),
        ZCS_FIELD(lt_pnode, sum),
        ZCS_FIELD(lt_pnode, next),
        ZCS_FIELD(lt_pnode, payload),
    };
    zcs_struct_desc desc = ZCS_STRUCT_DESC(lt_pnode, fields, header);
    ZCS_CK(zcs_struct_check(context, &desc, NULL));

    /* Nodes in a shuffled order inside their array; payloads in another array. */
    zcs_buffer *nodes_buffer = NULL, *payloads_buffer = NULL;
    ZCS_CK(ZCS_ALLOC(context, lt_pnode, COUNT, 0, &nodes_buffer));
    ZCS_CK(ZCS_ALLOC(context, lt_ppayload, COUNT, 0, &payloads_buffer));
    uint64_t nodes_address = 0, payloads_address = 0;
    ZCS_CK(zcs_buffer_device_address(nodes_buffer, &nodes_address));
    ZCS_CK(zcs_buffer_device_address(payloads_buffer, &payloads_address));
    static uint32_t order[COUNT];
    for (uint32_t i = 0; i < COUNT; i++)
        order[i] = (i * 7919u) % COUNT; /* 7919 is prime to COUNT: a permutation */
    lt_pnode *nodes = NULL;
    lt_ppayload *payloads = NULL;
    ZCS_CK(zcs_map(nodes_buffer, ZCS_MAP_WRITE_DISCARD, (void **)&nodes));
    ZCS_CK(zcs_map(payloads_buffer, ZCS_MAP_WRITE_DISCARD, (void **)&payloads));
    for (uint32_t k = 0; k < COUNT; k++) {
        lt_pnode *node = &nodes[order[k]];
        node->value = k + 1;
        node->sum = 0;
        node->next = k + 1 < COUNT ? ZCS_DEVICE_PTR(lt_pnode, nodes_address, order[k + 1]) : NULL;
        node->payload = ZCS_DEVICE_PTR(lt_ppayload, payloads_address, k);
        payloads[k].weight = 0.0f;
        payloads[k].visits = 0;
    }
    ZCS_CK(zcs_unmap(payloads_buffer));
    ZCS_CK(zcs_unmap(nodes_buffer));

    size_t size = strlen(header) + sizeof walk_kernel + 2;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    snprintf(text, size, "%s\n%s", header, walk_kernel);
    char options[1200];
    snprintf(options, sizeof options, "-I %s/include", ZCS_TEST_SOURCE_DIR);
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_source(context, text, 0, options, &program));
    free(text);
    free(header);
    ZCS_CK(zcs_kernel_create(program, "plist_walk", &kernel));

    /* The head is the argument; the other nodes and every payload are reached through
       pointers stored in the nodes. The kernel's argument is the nodes' array itself,
       pointing at the list's head element. */
    zcs_buffer *reachable[] = {nodes_buffer, payloads_buffer};
    ZCS_CK(zcs_kernel_set_indirect(kernel, reachable, 2));
    ZCS_CK(zcs_kernel_set_buffer(kernel, 0, nodes_buffer));
    uint32_t count = COUNT;
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    /* order[0] is 0: the array's first element is the list's head. */
    ck_assert_uint_eq(order[0], 0);
    size_t global = COUNT;
    /* An array reached only through pointers is ordered like an argument: no dispatch
       while the host has it mapped. */
    ZCS_CK(zcs_map(payloads_buffer, ZCS_MAP_READ, (void **)&payloads));
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_MAPPED);
    ZCS_CK(zcs_unmap(payloads_buffer));
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    /* No zcs_finish: the payloads are no argument, but zcs_kernel_set_indirect made the
       dispatch a user of them, so mapping them waits for it like mapping the nodes. */

    ZCS_CK(zcs_map(nodes_buffer, ZCS_MAP_READ, (void **)&nodes));
    ZCS_CK(zcs_map(payloads_buffer, ZCS_MAP_READ, (void **)&payloads));
    for (uint32_t k = 0; k < COUNT; k++) {
        const lt_pnode *node = &nodes[order[k]];
        uint32_t expected = 0;
        for (uint32_t j = k; j < COUNT; j++)
            expected += j + 1;
        ck_assert_msg(node->sum == expected, "list node %u: sum %u, expected %u", k, node->sum,
                      expected);
        /* The host follows the same pointers the kernel followed. */
        ck_assert_ptr_eq(node->next, k + 1 < COUNT ? &nodes[order[k + 1]] : NULL);
        ck_assert_ptr_eq(node->payload, &payloads[k]);
        ck_assert_uint_eq(node->payload->visits, 1);
        ck_assert(node->payload->weight == (float)expected);
    }
    ZCS_CK(zcs_unmap(payloads_buffer));
    ZCS_CK(zcs_unmap(nodes_buffer));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_free(nodes_buffer));
    ZCS_CK(zcs_free(payloads_buffer));
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
        zcs_buffer *buffer = NULL;
        uint64_t address = 0;
        zcs_status status = zcs_context_create(NULL, &context);
        if (status == ZCS_SUCCESS)
            status = zcs_alloc(context, 16, 1, 0, &buffer);
        if (status == ZCS_SUCCESS)
            status = zcs_buffer_device_address(buffer, &address);
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
