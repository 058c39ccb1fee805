/*
 * Published OpenCL kernels with __local pointer parameters, run unmodified through zcs:
 * a tiled matrix multiply and a reduction (matmul.cl), and on Vulkan their GLSL twins
 * (matmul_tiled.comp, reduce_sum.comp). The host code is the same on both backends: the
 * kernels answer to their own names, local memory is sized with zcs_kernel_set_local, and
 * the matrices are shared with the device without a copy.
 *
 *   matmul [n] [tile]     (n x n matrices, tile x tile work groups; tile divides n)
 *
 * Checks every element against the CPU and prints "N wrong"; exit status 0 when none is.
 */
#include <stdio.h>
#include <stdlib.h>

#include <zcs/zcs.h>

#ifndef ZCS_EXAMPLE_DIR
#define ZCS_EXAMPLE_DIR "."
#endif

static void check(zcs_status status, const char *what)
{
    if (status != ZCS_SUCCESS) {
        fprintf(stderr, "%s: %s: %s\n", what, zcs_status_name(status), zcs_last_error());
        exit(EXIT_FAILURE);
    }
}

/* The program holding kernel `name`: matmul.cl on OpenCL, NAME.comp on Vulkan. */
static zcs_program *program_for(zcs_context *context, const char *name)
{
    zcs_context_info info;
    check(zcs_context_info_get(context, &info), "zcs_context_info_get");
    char path[1024];
    if (info.backend == ZCS_BACKEND_OPENCL)
        snprintf(path, sizeof path, "%s/matmul.cl", ZCS_EXAMPLE_DIR);
    else
        snprintf(path, sizeof path, "%s/%s.comp", ZCS_EXAMPLE_DIR, name);
    zcs_program *program = NULL;
    check(zcs_program_create_from_file(context, path, NULL, &program), path);
    return program;
}

/* Small integers, so that float sums are exact and the check needs no tolerance. */
static float value_at(uint32_t i, uint32_t salt)
{
    return (float)((i * 7u + salt) % 5u) - 2.0f;
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 64;
    uint32_t tile = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 8;
    if (n == 0 || tile == 0 || n % tile != 0) {
        fprintf(stderr, "usage: matmul [n] [tile], tile dividing n\n");
        return EXIT_FAILURE;
    }
    zcs_context *context = NULL;
    check(zcs_context_create(NULL, &context), "zcs_context_create");
    zcs_context_info info;
    check(zcs_context_info_get(context, &info), "zcs_context_info_get");
    printf("device: %s (%s), local memory %llu bytes\n", info.device_name, zcs_tier_name(info.tier),
           (unsigned long long)info.limits.local_memory_size);

    /* A, B, C: n x n floats, column-major. */
    zcs_array *a = NULL, *b = NULL, *c = NULL;
    check(zcs_array_create(context, sizeof(float), (size_t)n * n, 0, &a), "zcs_array_create");
    check(zcs_array_create(context, sizeof(float), (size_t)n * n, 0, &b), "zcs_array_create");
    check(zcs_array_create(context, sizeof(float), (size_t)n * n, 0, &c), "zcs_array_create");
    float *pa = NULL, *pb = NULL;
    check(zcs_array_map(a, ZCS_MAP_WRITE_DISCARD, (void **)&pa), "map A");
    check(zcs_array_map(b, ZCS_MAP_WRITE_DISCARD, (void **)&pb), "map B");
    for (uint32_t i = 0; i < n * n; i++) {
        pa[i] = value_at(i, 1);
        pb[i] = value_at(i, 3);
    }
    check(zcs_array_unmap(a), "unmap A");
    check(zcs_array_unmap(b), "unmap B");

    /* matmul_tiled(M, N, K, A, B, C, local Asub, local Bsub) */
    zcs_program *matmul_program = program_for(context, "matmul_tiled");
    zcs_kernel *matmul = NULL;
    check(zcs_kernel_create(matmul_program, "matmul_tiled", &matmul), "matmul_tiled");
    for (uint32_t i = 0; i < 3; i++)
        check(zcs_kernel_set_value(matmul, i, sizeof n, &n), "set M, N, K");
    check(zcs_kernel_set_array(matmul, 3, a), "set A");
    check(zcs_kernel_set_array(matmul, 4, b), "set B");
    check(zcs_kernel_set_array(matmul, 5, c), "set C");
    check(zcs_kernel_set_local(matmul, 6, (size_t)tile * tile * sizeof(float)), "set Asub");
    check(zcs_kernel_set_local(matmul, 7, (size_t)tile * tile * sizeof(float)), "set Bsub");
    const size_t global[2] = {n, n};
    const size_t local[2] = {tile, tile};
    check(zcs_dispatch(matmul, 2, global, local), "dispatch matmul_tiled");

    /* reduce_sum(in, partial, local scratch, count) over C, in groups of 64. */
    const uint32_t group = 64;
    const uint32_t count = n * n;
    const uint32_t groups = (count + group - 1) / group;
    zcs_array *partial = NULL;
    check(zcs_array_create(context, sizeof(float), groups, 0, &partial), "zcs_array_create");
    zcs_program *reduce_program = program_for(context, "reduce_sum");
    zcs_kernel *reduce = NULL;
    check(zcs_kernel_create(reduce_program, "reduce_sum", &reduce), "reduce_sum");
    check(zcs_kernel_set_array(reduce, 0, c), "set in");
    check(zcs_kernel_set_array(reduce, 1, partial), "set partial");
    check(zcs_kernel_set_local(reduce, 2, group * sizeof(float)), "set scratch");
    check(zcs_kernel_set_value(reduce, 3, sizeof count, &count), "set count");
    const size_t reduce_global = (size_t)groups * group;
    const size_t reduce_local = group;
    check(zcs_dispatch(reduce, 1, &reduce_global, &reduce_local), "dispatch reduce_sum");

    /* Check against the CPU (the maps wait for the kernels). */
    const float *pc = NULL, *pp = NULL;
    check(zcs_array_map(a, ZCS_MAP_READ, (void **)&pa), "map A");
    check(zcs_array_map(b, ZCS_MAP_READ, (void **)&pb), "map B");
    check(zcs_array_map(c, ZCS_MAP_READ, (void **)&pc), "map C");
    check(zcs_array_map(partial, ZCS_MAP_READ, (void **)&pp), "map partial");
    uint64_t wrong = 0;
    double total = 0.0;
    for (uint32_t col = 0; col < n; col++) {
        for (uint32_t row = 0; row < n; row++) {
            float expected = 0.0f;
            for (uint32_t k = 0; k < n; k++)
                expected += pa[k * n + row] * pb[col * n + k];
            wrong += pc[col * n + row] != expected;
            total += expected;
        }
    }
    printf("matmul_tiled: %ux%u, %ux%u tiles, %llu wrong\n", n, n, tile, tile,
           (unsigned long long)wrong);
    double reduced = 0.0;
    for (uint32_t g = 0; g < groups; g++)
        reduced += pp[g];
    uint64_t reduce_wrong = reduced != total;
    printf("reduce_sum: %u elements in %u groups: %.1f (CPU %.1f), %llu wrong\n", count, groups,
           reduced, total, (unsigned long long)reduce_wrong);
    check(zcs_array_unmap(a), "unmap");
    check(zcs_array_unmap(b), "unmap");
    check(zcs_array_unmap(c), "unmap");
    check(zcs_array_unmap(partial), "unmap");
    printf("total: %llu wrong\n", (unsigned long long)(wrong + reduce_wrong));

    zcs_kernel_destroy(matmul);
    zcs_kernel_destroy(reduce);
    zcs_program_destroy(matmul_program);
    zcs_program_destroy(reduce_program);
    check(zcs_array_destroy(a), "destroy");
    check(zcs_array_destroy(b), "destroy");
    check(zcs_array_destroy(c), "destroy");
    check(zcs_array_destroy(partial), "destroy");
    zcs_context_destroy(context);
    return wrong + reduce_wrong == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
