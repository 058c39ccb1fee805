/*
 * zcs inside an OpenCL application that also calls another OpenCL library: the
 * application makes its own context and queue, attaches zcs to them, fills two matrices
 * through zcs maps, and hands the arrays to CLBlast's SGEMM in place (no copy), on its own
 * queue; zcs maps the result back.
 *
 *   opencl_clblast [m n k]
 *
 * Prints the device, the tier and the bytes zcs copied, then checks C = A B against the
 * CPU. Exit status 0 when every element matches.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <clblast_c.h>
#include <zcs/zcs_opencl.h>

static void check(zcs_status status, const char *what)
{
    if (status != ZCS_SUCCESS) {
        fprintf(stderr, "%s: %s: %s\n", what, zcs_status_name(status), zcs_last_error());
        exit(EXIT_FAILURE);
    }
}

static void check_cl(cl_int error, const char *what)
{
    if (error != CL_SUCCESS) {
        fprintf(stderr, "%s failed: %d\n", what, (int)error);
        exit(EXIT_FAILURE);
    }
}

/* A rows x columns matrix of floats in a zcs array, filled by the host. */
static zcs_array *matrix(zcs_context *context, size_t rows, size_t columns, float scale)
{
    zcs_array *array = NULL;
    float *data = NULL;
    check(zcs_array_create(context, sizeof(float), rows * columns, 0, &array), "zcs_array_create");
    check(zcs_array_map(array, ZCS_MAP_WRITE_DISCARD, (void **)&data), "zcs_array_map");
    for (size_t i = 0; i < rows * columns; i++)
        data[i] = (float)(i % 13) * scale;
    check(zcs_array_unmap(array), "zcs_array_unmap");
    return array;
}

int main(int argc, char **argv)
{
    size_t m = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 48;
    size_t k = argc > 3 ? strtoul(argv[3], NULL, 10) : 32;
    if (m == 0 || n == 0 || k == 0) {
        fprintf(stderr, "usage: opencl_clblast [m n k], each above 0\n");
        return EXIT_FAILURE;
    }

    /* The application's own OpenCL objects: the first device of the first platform. */
    cl_platform_id platform = NULL;
    cl_device_id device = NULL;
    check_cl(clGetPlatformIDs(1, &platform, NULL), "clGetPlatformIDs");
    check_cl(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, NULL), "clGetDeviceIDs");
    cl_int error = CL_SUCCESS;
    cl_context cl_context = clCreateContext(NULL, 1, &device, NULL, NULL, &error);
    check_cl(error, "clCreateContext");
    cl_command_queue queue = clCreateCommandQueueWithProperties(cl_context, device, NULL, &error);
    check_cl(error, "clCreateCommandQueueWithProperties");

    /* zcs on the same objects: it retains them, and releases them at destroy. */
    zcs_opencl_attach_desc desc = {0};
    desc.context = cl_context;
    desc.device = device;
    desc.queue = queue;
    zcs_context *context = NULL;
    check(zcs_opencl_context_attach(&desc, &context), "zcs_opencl_context_attach");
    zcs_context_info info;
    check(zcs_context_info_get(context, &info), "zcs_context_info_get");
    printf("device: %s (%s)\ntier: %s\n", info.device_name, info.platform_name,
           zcs_tier_name(info.tier));

    zcs_array *a = matrix(context, m, k, 0.5f);
    zcs_array *b = matrix(context, k, n, 0.25f);
    zcs_array *c = matrix(context, m, n, 0.0f);

    /* CLBlast takes cl_mem buffers and element offsets: zcs exports its arrays as such on
       every tier (on the SVM tiers, a buffer over the same SVM memory). */
    zcs_opencl_array_objects na, nb, nc;
    check(zcs_opencl_array_native(a, &na), "zcs_opencl_array_native");
    check(zcs_opencl_array_native(b, &nb), "zcs_opencl_array_native");
    check(zcs_opencl_array_native(c, &nc), "zcs_opencl_array_native");
    cl_event done = NULL;
    CLBlastStatusCode status =
        CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo, m, n, k, 1.0f,
                     na.buffer, na.offset / sizeof(float), k, nb.buffer, nb.offset / sizeof(float),
                     n, 0.0f, nc.buffer, nc.offset / sizeof(float), n, &queue, &done);
    if (status != CLBlastSuccess) {
        fprintf(stderr, "CLBlastSgemm failed: %d\n", (int)status);
        return EXIT_FAILURE;
    }
    /* The library's work must be finished before zcs maps the array. */
    check_cl(clWaitForEvents(1, &done), "clWaitForEvents");
    clReleaseEvent(done);

    const float *ha = NULL, *hb = NULL, *hc = NULL;
    check(zcs_array_map(a, ZCS_MAP_READ, (void **)&ha), "zcs_array_map");
    check(zcs_array_map(b, ZCS_MAP_READ, (void **)&hb), "zcs_array_map");
    check(zcs_array_map(c, ZCS_MAP_READ, (void **)&hc), "zcs_array_map");
    size_t wrong = 0;
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            double sum = 0.0;
            for (size_t p = 0; p < k; p++)
                sum += (double)ha[i * k + p] * (double)hb[p * n + j];
            if (fabs(hc[i * n + j] - sum) > 1e-4 * (1.0 + fabs(sum)))
                wrong++;
        }
    }
    check(zcs_array_unmap(a), "zcs_array_unmap");
    check(zcs_array_unmap(b), "zcs_array_unmap");
    check(zcs_array_unmap(c), "zcs_array_unmap");
    zcs_stats stats;
    check(zcs_stats_get(context, &stats), "zcs_stats_get");
    printf("C = A B, %zux%zu by %zux%zu: %zu wrong, %llu bytes copied by zcs\n", m, k, k, n, wrong,
           (unsigned long long)stats.bytes_copied);

    check(zcs_array_destroy(a), "zcs_array_destroy");
    check(zcs_array_destroy(b), "zcs_array_destroy");
    check(zcs_array_destroy(c), "zcs_array_destroy");
    zcs_context_destroy(context);
    /* The application's objects are still its own. */
    clReleaseCommandQueue(queue);
    clReleaseContext(cl_context);
    return wrong == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
