/*
 * A real OpenCL library on zcs arrays in place: CLBlast's SGEMM reads two zcs arrays and
 * writes a third through the buffers zcs exports (zcs_opencl_array_native), on zcs's own
 * queue, on every tier; the result read back through zcs_array_map equals a CPU reference,
 * and zcs copies no byte.
 */
#include <math.h>
#include <stdio.h>

#include <clblast_c.h>
#include <zcs/zcs_opencl.h>

#include "support/zcs_test.h"

enum { M = 37, N = 29, K = 23 }; /* odd sizes: no kernel path that only fits multiples */

static zcs_array *matrix(zcs_context *context, size_t rows, size_t columns, float seed)
{
    zcs_array *array = NULL;
    float *data = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(float), rows * columns, 0, &array));
    ZCS_CK(zcs_array_map(array, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (size_t i = 0; i < rows * columns; i++)
        data[i] = (float)((i * 7 + 3) % 17) * 0.25f - seed;
    ZCS_CK(zcs_array_unmap(array));
    return array;
}

/* A copy of an array's floats (the inputs of the reference). */
static void read_floats(zcs_array *array, float *out, size_t count)
{
    const float *data = NULL;
    ZCS_CK(zcs_array_map(array, ZCS_MAP_READ, (void **)&data));
    for (size_t i = 0; i < count; i++)
        out[i] = data[i];
    ZCS_CK(zcs_array_unmap(array));
}

static void sgemm_on(zcs_context *context)
{
    const float alpha = 1.5f;
    const float beta = 0.5f;
    zcs_array *a = matrix(context, M, K, 1.0f);
    zcs_array *b = matrix(context, K, N, 2.0f);
    zcs_array *c = matrix(context, M, N, 0.5f);
    static float ha[M * K], hb[K * N], hc[M * N];
    read_floats(a, ha, M * K);
    read_floats(b, hb, K * N);
    read_floats(c, hc, M * N);
    zcs_stats before;
    ZCS_CK(zcs_stats_get(context, &before));

    zcs_opencl_context_objects objects;
    ZCS_CK(zcs_opencl_context_native(context, &objects));
    zcs_opencl_array_objects na, nb, nc;
    ZCS_CK(zcs_opencl_array_native(a, &na));
    ZCS_CK(zcs_opencl_array_native(b, &nb));
    ZCS_CK(zcs_opencl_array_native(c, &nc));
    /* CLBlast's offsets count elements. */
    cl_event done = NULL;
    CLBlastStatusCode status =
        CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo, M, N, K, alpha,
                     na.buffer, na.offset / sizeof(float), K, nb.buffer, nb.offset / sizeof(float),
                     N, beta, nc.buffer, nc.offset / sizeof(float), N, &objects.queue, &done);
    ck_assert_msg(status == CLBlastSuccess, "CLBlastSgemm -> %d", (int)status);
    ck_assert_int_eq(clWaitForEvents(1, &done), CL_SUCCESS);
    ck_assert_int_eq(clReleaseEvent(done), CL_SUCCESS);

    const float *result = NULL;
    ZCS_CK(zcs_array_map(c, ZCS_MAP_READ, (void **)&result));
    for (size_t i = 0; i < M; i++) {
        for (size_t j = 0; j < N; j++) {
            double sum = 0.0;
            for (size_t k = 0; k < K; k++)
                sum += (double)ha[i * K + k] * (double)hb[k * N + j];
            double expected = alpha * sum + beta * (double)hc[i * N + j];
            double got = result[i * N + j];
            ck_assert_msg(fabs(got - expected) <= 1e-4 * (1.0 + fabs(expected)),
                          "C[%zu][%zu] is %g, expected %g", i, j, got, expected);
        }
    }
    ZCS_CK(zcs_array_unmap(c));
    zcs_stats after;
    ZCS_CK(zcs_stats_get(context, &after));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    /* PoCL: zcs copies nothing at all, CLBlast's work included; the staged tier (forced
       here, automatic on a discrete GPU) copies exactly C's bytes back at the map. */
    int copies_nothing = info.unified_memory && info.tier != ZCS_TIER_STAGED;
    if (copies_nothing)
        ck_assert_uint_eq(after.bytes_copied, 0);
    ck_assert_uint_eq(after.bytes_copied - before.bytes_copied,
                      copies_nothing ? 0 : (uint64_t)M * N * sizeof(float));
    ZCS_CK(zcs_array_destroy(a));
    ZCS_CK(zcs_array_destroy(b));
    ZCS_CK(zcs_array_destroy(c));
}

START_TEST(sgemm_on_zcs_arrays_of_its_own_context)
{
    zcs_context *context = zcs_test_context();
    sgemm_on(context);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(sgemm_on_zcs_arrays_of_an_attached_context)
{
    cl_platform_id platform = NULL;
    cl_device_id device = NULL;
    ck_assert_int_eq(clGetPlatformIDs(1, &platform, NULL), CL_SUCCESS);
    ck_assert_int_eq(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, NULL), CL_SUCCESS);
    cl_int error = CL_SUCCESS;
    cl_context cl_context = clCreateContext(NULL, 1, &device, NULL, NULL, &error);
    ck_assert_int_eq(error, CL_SUCCESS);
    cl_command_queue queue = clCreateCommandQueueWithProperties(cl_context, device, NULL, &error);
    ck_assert_int_eq(error, CL_SUCCESS);
    zcs_opencl_attach_desc desc = {0};
    desc.context = cl_context;
    desc.device = device;
    desc.queue = queue;
    zcs_context *context = NULL;
    ZCS_CK(zcs_opencl_context_attach(&desc, &context));
    sgemm_on(context);
    zcs_test_context_destroy(context);
    ck_assert_int_eq(clReleaseCommandQueue(queue), CL_SUCCESS);
    ck_assert_int_eq(clReleaseContext(cl_context), CL_SUCCESS);
}
END_TEST

static Suite *clblast_suite(void)
{
    Suite *suite = suite_create("opencl_clblast");
    TCase *tc = tcase_create("opencl_clblast");
    tcase_add_test(tc, sgemm_on_zcs_arrays_of_its_own_context);
    tcase_add_test(tc, sgemm_on_zcs_arrays_of_an_attached_context);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(clblast_suite());
}
