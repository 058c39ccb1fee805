/*
 * Every backend call and every internal allocation made to fail: a scenario that covers
 * context creation, allocation, map, program build, dispatch and free runs once cleanly
 * to count the calls, then once for each k with the k-th call failing. Each time the
 * failing zcs call returns a documented status with a message, nothing crashes, nothing
 * leaks (the sanitizer build checks), and a context that survived is still usable.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/memory.h"
#include "support/fault_counter.h"
#include "support/zcs_test.h"

/* The backend's fault injector behind one set of names, with the errors each call is
   made to fail with: the ways to run out of memory, a lost or unavailable device, and
   errors the backend has no reason to expect from the call at hand. */
#ifdef ZCS_TEST_VULKAN
#include "support/vk_faults.h"
static const VkResult injected_errors[] = {VK_ERROR_OUT_OF_HOST_MEMORY,
                                           VK_ERROR_OUT_OF_DEVICE_MEMORY,
                                           VK_ERROR_DEVICE_LOST,
                                           VK_ERROR_INITIALIZATION_FAILED,
                                           VK_ERROR_TOO_MANY_OBJECTS,
                                           VK_ERROR_MEMORY_MAP_FAILED,
                                           VK_ERROR_UNKNOWN,
                                           VK_TIMEOUT};
#define faults_install  vk_faults_install
#define faults_arm      vk_faults_arm
#define faults_remove   vk_faults_remove
#define FAULTS_BACKEND  "Vulkan"
#define FAULTS_NO_ERROR VK_SUCCESS
#else
#include "support/cl_faults.h"
static const cl_int injected_errors[] = {
    CL_OUT_OF_RESOURCES,      CL_OUT_OF_HOST_MEMORY, CL_MEM_OBJECT_ALLOCATION_FAILURE,
    CL_INVALID_VALUE,         CL_INVALID_OPERATION,  CL_DEVICE_NOT_AVAILABLE,
    CL_INVALID_COMMAND_QUEUE, CL_MAP_FAILURE};
#define faults_install  cl_faults_install
#define faults_arm      cl_faults_arm
#define faults_remove   cl_faults_remove
#define FAULTS_BACKEND  "OpenCL"
#define FAULTS_NO_ERROR CL_SUCCESS
#endif

/* Statuses a failing backend call or allocation may surface as. */
static int documented_failure(zcs_status status)
{
    switch (status) {
    case ZCS_ERROR_BACKEND:
    case ZCS_ERROR_OUT_OF_MEMORY:
    case ZCS_ERROR_NO_DEVICE:
    case ZCS_ERROR_UNSUPPORTED:
    case ZCS_ERROR_DISPATCH:
    case ZCS_ERROR_BUILD:
    case ZCS_ERROR_KERNEL_ARGUMENT:
    case ZCS_ERROR_KERNEL_NOT_FOUND:
    case ZCS_ERROR_DEVICE_LOST:
        return 1;
    default:
        return 0;
    }
}

/* Outcome of one scenario run. */
typedef struct outcome {
    zcs_status status;    /* first failure, or ZCS_SUCCESS */
    const char *step;     /* where it failed */
    zcs_context *context; /* left alive when the failure came after context creation */
} outcome;

#define STEP(name, call)                                                                           \
    do {                                                                                           \
        zcs_status step_status_ = (call);                                                          \
        if (step_status_ != ZCS_SUCCESS) {                                                         \
            result.status = step_status_;                                                          \
            result.step = (name);                                                                  \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* Context, array, map and write, program, kernel, dispatch, map and check, free. */
static outcome scenario(void)
{
    outcome result = {ZCS_SUCCESS, "", NULL};
    zcs_array *buffer = NULL;
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    uint32_t *data = NULL;
    const uint32_t count = 1000;
    const uint32_t amount = 7;
    size_t global = count;

    STEP("zcs_context_create", zcs_context_create(NULL, &result.context));
    STEP("zcs_array_create", zcs_array_create(result.context, sizeof(uint32_t), count, 0, &buffer));
    STEP("zcs_array_map", zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        data[i] = i;
    STEP("zcs_array_unmap", zcs_array_unmap(buffer));
    STEP("zcs_program_create_builtin",
         zcs_program_create_builtin(result.context, "increment_u32", &program));
    STEP("zcs_kernel_create", zcs_kernel_create(program, "increment_u32", &kernel));
    STEP("zcs_kernel_set_array", zcs_kernel_set_array(kernel, 0, buffer));
    STEP("zcs_kernel_set_value", zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    STEP("zcs_kernel_set_value", zcs_kernel_set_value(kernel, 2, sizeof amount, &amount));
    STEP("zcs_dispatch", zcs_dispatch(kernel, 1, &global, NULL));
    STEP("zcs_finish", zcs_finish(result.context));
    STEP("zcs_array_map", zcs_array_map(buffer, ZCS_MAP_READ, (void **)&data));
    /* Every call succeeded: the data must be right. */
    for (uint32_t i = 0; i < count; i++)
        ck_assert_uint_eq(data[i], i + amount);
    STEP("zcs_array_unmap", zcs_array_unmap(buffer));
    STEP("zcs_array_destroy", zcs_array_destroy(buffer));
    buffer = NULL;

cleanup:
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    if (buffer != NULL)
        zcs_array_destroy(buffer);
    return result;
}

/* With faults off again: a surviving context still allocates, maps and frees. */
static void check_still_usable(zcs_context *context)
{
    zcs_array *buffer = NULL;
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 64, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    data[63] = 1;
    ZCS_CK(zcs_array_unmap(buffer));
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}

static void check_failed_run(const outcome *result, const char *what)
{
    ck_assert_msg(documented_failure(result->status), "%s: %s returned %s (%s)", what, result->step,
                  zcs_status_name(result->status), zcs_last_error());
    ck_assert_msg(zcs_last_error()[0] != '\0', "%s: %s left no message", what, result->step);
}

START_TEST(every_internal_allocation_can_fail)
{
    zcs__memory_fail_after(-1);
    /* A first run grows the process-wide handle pool once, which no later run repeats. */
    outcome warm = scenario();
    ZCS_CK(warm.status);
    zcs_context_destroy(warm.context);
    zcs__memory_fail_after(-1);
    outcome clean = scenario();
    ZCS_CK(clean.status);
    unsigned long total = zcs__memory_allocations();
    zcs_context_destroy(clean.context);
    ck_assert_uint_gt(total, 3);

    for (unsigned long k = 0; k < total; k++) {
        zcs__memory_fail_after((long)k);
        outcome result = scenario();
        zcs__memory_fail_after(-1);
        char what[64];
        snprintf(what, sizeof what, "allocation %lu of %lu failing", k + 1, total);
        check_failed_run(&result, what);
        if (result.context != NULL)
            check_still_usable(result.context);
    }
    printf("allocation faults: %lu injected, each gave a documented status\n", total);
}
END_TEST

START_TEST(every_backend_call_can_fail)
{
    /* A first context loads the backend's whole call table before the wrappers go in. */
    zcs_context *loader = zcs_test_context();
    faults_install();
    outcome clean = scenario();
    ZCS_CK(clean.status);
    zcs_context_destroy(clean.context);
    unsigned long total = fault_counter_calls();
    ck_assert_uint_gt(total, 10);

    unsigned long injected = 0;
    const size_t error_count = sizeof injected_errors / sizeof injected_errors[0];
    for (size_t e = 0; e < error_count; e++) {
        for (unsigned long k = 1; k <= total; k++) {
            faults_arm(k, injected_errors[e]);
            outcome result = scenario();
            const char *fired_call = fault_counter_fired_call();
            int fired = fired_call != NULL;
            char what[160];
            snprintf(what, sizeof what, "%s call %lu of %lu (%s) failing with %d", FAULTS_BACKEND,
                     k, total, fired ? fired_call : "none", (int)injected_errors[e]);
            faults_arm(0, FAULTS_NO_ERROR);
            if (!fired) {
                /* Calls whose failure zcs tolerates by design (a flush, an optional query)
                   can shift later calls; the scenario may then succeed. */
                ck_assert_msg(result.status == ZCS_SUCCESS, "%s: no fault yet %s", what,
                              zcs_status_name(result.status));
            } else if (result.status != ZCS_SUCCESS) {
                check_failed_run(&result, what);
            }
            injected += fired;
            if (result.context != NULL)
                check_still_usable(result.context);
        }
    }
    faults_remove();
    zcs_test_context_destroy(loader);
    printf("%s faults: %lu injected over %lu call sites x %zu errors\n", FAULTS_BACKEND, injected,
           total, error_count);
}
END_TEST

/*
 * Attaching to an application's objects (zcs/zcs_opencl.h, zcs/zcs_vulkan.h) and asking
 * for an array's native objects, with every backend call made to fail in turn: a documented
 * status each time, and the application's objects as they were (OpenCL: their reference
 * counts; Vulkan: the validation layer reports nothing of zcs's left on the device).
 */
#ifdef ZCS_TEST_VULKAN
#include <zcs/zcs_vulkan.h>

typedef struct attach_app {
    VkInstance instance;
    VkPhysicalDevice physical_device;
    VkDevice device;
    zcs_vulkan_attach_desc desc;
} attach_app;

static attach_app attach_app_create(void)
{
    attach_app a;
    memset(&a, 0, sizeof a);
    VkApplicationInfo application = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                                     .apiVersion = VK_API_VERSION_1_1};
    VkInstanceCreateInfo info = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                                 .pApplicationInfo = &application};
    ck_assert_int_eq(vkCreateInstance(&info, NULL, &a.instance), VK_SUCCESS);
    uint32_t count = 1;
    VkResult result = vkEnumeratePhysicalDevices(a.instance, &count, &a.physical_device);
    ck_assert(result == VK_SUCCESS || result == VK_INCOMPLETE);
    float priority = 1.0f;
    VkDeviceQueueCreateInfo queue = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                     .queueCount = 1,
                                     .pQueuePriorities = &priority};
    VkDeviceCreateInfo device_info = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                                      .queueCreateInfoCount = 1,
                                      .pQueueCreateInfos = &queue};
    ck_assert_int_eq(vkCreateDevice(a.physical_device, &device_info, NULL, &a.device), VK_SUCCESS);
    a.desc.instance = a.instance;
    a.desc.physical_device = a.physical_device;
    a.desc.device = a.device;
    a.desc.vulkan_api_version = VK_API_VERSION_1_1;
    return a;
}

static void attach_app_check_and_destroy(attach_app *a)
{
    ck_assert_int_eq(vkDeviceWaitIdle(a->device), VK_SUCCESS);
    vkDestroyDevice(a->device, NULL);
    vkDestroyInstance(a->instance, NULL);
}

static void attach_app_check_run(attach_app *a, const char *fired_call, const char *what)
{
    (void)a;
    (void)fired_call;
    (void)what;
}

static zcs_status attach_native(zcs_array *array)
{
    zcs_vulkan_array_objects objects;
    return zcs_vulkan_array_native(array, &objects);
}

#define attach_call(app, out) zcs_vulkan_context_attach(&(app)->desc, (out))
#else
#include <zcs/zcs_opencl.h>

typedef struct attach_app {
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
    cl_uint context_references;
    cl_uint queue_references;
    zcs_opencl_attach_desc desc;
} attach_app;

static cl_uint attach_references(const attach_app *a, int queue)
{
    cl_uint count = 0;
    if (queue)
        ck_assert_int_eq(
            clGetCommandQueueInfo(a->queue, CL_QUEUE_REFERENCE_COUNT, sizeof count, &count, NULL),
            CL_SUCCESS);
    else
        ck_assert_int_eq(
            clGetContextInfo(a->context, CL_CONTEXT_REFERENCE_COUNT, sizeof count, &count, NULL),
            CL_SUCCESS);
    return count;
}

static attach_app attach_app_create(void)
{
    attach_app a;
    memset(&a, 0, sizeof a);
    cl_platform_id platform = NULL;
    ck_assert_int_eq(clGetPlatformIDs(1, &platform, NULL), CL_SUCCESS);
    ck_assert_int_eq(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &a.device, NULL), CL_SUCCESS);
    cl_int error = CL_SUCCESS;
    a.context = clCreateContext(NULL, 1, &a.device, NULL, NULL, &error);
    ck_assert_int_eq(error, CL_SUCCESS);
    a.queue = clCreateCommandQueueWithProperties(a.context, a.device, NULL, &error);
    ck_assert_int_eq(error, CL_SUCCESS);
    a.context_references = attach_references(&a, 0);
    a.queue_references = attach_references(&a, 1);
    a.desc.context = a.context;
    a.desc.device = a.device;
    a.desc.queue = a.queue;
    return a;
}

/* After one run: the application's objects hold the references they held before. One
   exception: a buffer whose unmap was made to fail stays mapped in the runtime (the real
   clEnqueueUnmapMemObject never ran), and PoCL keeps a mapped buffer, with its references
   to the context and queue, past zcs's clReleaseMemObject. */
static void attach_app_check_run(attach_app *a, const char *fired_call, const char *what)
{
    ck_assert_int_eq(clFinish(a->queue), CL_SUCCESS);
    /* PoCL's events hold their queue, and the buffers they use (and so the context), until
       its own thread frees them, which may come a little after clFinish: let that settle
       before counting (bounded, no timing claim). */
    cl_uint context_references = attach_references(a, 0);
    cl_uint queue_references = attach_references(a, 1);
    for (int i = 0; i < 2000 && (context_references != a->context_references ||
                                 queue_references != a->queue_references);
         i++) {
        nanosleep(&(struct timespec){0, 1000000}, NULL);
        context_references = attach_references(a, 0);
        queue_references = attach_references(a, 1);
    }
    if (fired_call != NULL && strcmp(fired_call, "clEnqueueUnmapMemObject") == 0) {
        a->context_references = context_references;
        a->queue_references = queue_references;
        return;
    }
    ck_assert_msg(
        context_references == a->context_references && queue_references == a->queue_references,
        "%s: the application's context has %u references (%u before), its queue %u "
        "(%u before)",
        what, context_references, a->context_references, queue_references, a->queue_references);
}

static void attach_app_check_and_destroy(attach_app *a)
{
    attach_app_check_run(a, NULL, "at the end");
    ck_assert_int_eq(clReleaseCommandQueue(a->queue), CL_SUCCESS);
    ck_assert_int_eq(clReleaseContext(a->context), CL_SUCCESS);
}

static zcs_status attach_native(zcs_array *array)
{
    zcs_opencl_array_objects objects;
    return zcs_opencl_array_native(array, &objects);
}

#define attach_call(app, out) zcs_opencl_context_attach(&(app)->desc, (out))
#endif

/* Attach, allocate, ask for the native objects, map and free. */
static outcome attach_scenario(attach_app *a)
{
    outcome result = {ZCS_SUCCESS, "", NULL};
    zcs_array *array = NULL;
    uint32_t *data = NULL;
    STEP("attach", attach_call(a, &result.context));
    STEP("zcs_array_create", zcs_array_create(result.context, sizeof(uint32_t), 256, 0, &array));
    STEP("native", attach_native(array));
    STEP("zcs_array_map", zcs_array_map(array, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    data[0] = 1;
    STEP("zcs_array_unmap", zcs_array_unmap(array));
    STEP("zcs_array_destroy", zcs_array_destroy(array));
    array = NULL;
cleanup:
    if (array != NULL)
        zcs_array_destroy(array);
    return result;
}

/* The attach scenario with each backend call made to fail in turn, with the first
   `errors` of injected_errors; *out_total: the calls of a clean run. Returns the faults
   that fired. */
static unsigned long attach_faults(attach_app *a, size_t errors, unsigned long *out_total)
{
    faults_install();
    outcome clean = attach_scenario(a);
    ZCS_CK(clean.status);
    zcs_context_destroy(clean.context);
    unsigned long total = fault_counter_calls();
    ck_assert_uint_gt(total, 3);
    unsigned long injected = 0;
    for (size_t e = 0; e < errors; e++) {
        for (unsigned long k = 1; k <= total; k++) {
            faults_arm(k, injected_errors[e]);
            outcome result = attach_scenario(a);
            const char *fired_call = fault_counter_fired_call();
            char what[160];
            snprintf(what, sizeof what, "attach: %s call %lu of %lu (%s) failing with %d",
                     FAULTS_BACKEND, k, total, fired_call != NULL ? fired_call : "none",
                     (int)injected_errors[e]);
            faults_arm(0, FAULTS_NO_ERROR);
            if (fired_call == NULL)
                ck_assert_msg(result.status == ZCS_SUCCESS, "%s: no fault yet %s", what,
                              zcs_status_name(result.status));
            else if (result.status != ZCS_SUCCESS)
                check_failed_run(&result, what);
            injected += fired_call != NULL;
            if (result.context != NULL)
                check_still_usable(result.context);
            attach_app_check_run(a, fired_call, what);
        }
    }
    faults_remove();
    *out_total = total;
    return injected;
}

START_TEST(every_attach_call_can_fail)
{
    zcs_context *loader = zcs_test_context();
    attach_app a = attach_app_create();
    const size_t error_count = sizeof injected_errors / sizeof injected_errors[0];
    unsigned long total = 0;
    unsigned long injected = attach_faults(&a, error_count, &total);
    attach_app_check_and_destroy(&a);
    zcs_test_context_destroy(loader);
    printf("%s attach faults: %lu injected over %lu call sites x %zu errors\n", FAULTS_BACKEND,
           injected, total, error_count);
}
END_TEST

#ifndef ZCS_TEST_VULKAN
/* An attach that leaves the queue to zcs (desc.queue NULL: zcs makes its own on the
   application's context), each call made to fail once: the queue zcs made is released on
   every path, and the application's context keeps its references. */
START_TEST(every_attach_call_without_a_queue_can_fail)
{
    zcs_context *loader = zcs_test_context();
    attach_app a = attach_app_create();
    a.desc.queue = NULL;
    unsigned long total = 0;
    unsigned long injected = attach_faults(&a, 1, &total);
    attach_app_check_and_destroy(&a);
    zcs_test_context_destroy(loader);
    printf("OpenCL attach faults without a queue: %lu injected over %lu call sites x 1 error\n",
           injected, total);
}
END_TEST
#endif

static Suite *faults_suite(void)
{
    Suite *suite = suite_create("faults");
    TCase *tc = tcase_create("faults");
    tcase_add_test(tc, every_internal_allocation_can_fail);
    tcase_add_test(tc, every_backend_call_can_fail);
    tcase_add_test(tc, every_attach_call_can_fail);
#ifndef ZCS_TEST_VULKAN
    tcase_add_test(tc, every_attach_call_without_a_queue_can_fail);
#endif
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(faults_suite());
}
