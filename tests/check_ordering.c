/*
 * Ordering, array by array and with the application's work (zcs/zcs_opencl.h and
 * zcs/zcs_vulkan.h, "Ordering"): a map waits for the dispatches that use its array and
 * for nothing else, shown deterministically by holding zcs's dispatch queue on an event
 * or semaphore the test controls, never by timing; dispatches and maps wait for the
 * application work declared on an array; the exported events and timeline values
 * complete with zcs's work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/zcs_test.h"

#if ZCS_BUILT_WITH_OPENCL
#include "zcs/zcs_opencl.h"
#else
#include "zcs/zcs_vulkan.h"
#endif

enum { COUNT = 1024 };

/* Two arrays of 0, 1, 2, ... and an increment kernel for each (+1 per dispatch). */
typedef struct pair {
    zcs_context *context;
    zcs_array *a;
    zcs_array *b;
    zcs_program *program_a;
    zcs_program *program_b;
    zcs_kernel *kernel_a;
    zcs_kernel *kernel_b;
} pair;

static pair pair_make(void)
{
    pair p = {0};
    p.context = zcs_test_context();
    p.a = zcs_test_indexed_u32(p.context, COUNT);
    p.b = zcs_test_indexed_u32(p.context, COUNT);
    p.kernel_a = zcs_test_increment_kernel(p.context, p.a, COUNT, 1, &p.program_a);
    p.kernel_b = zcs_test_increment_kernel(p.context, p.b, COUNT, 1, &p.program_b);
    return p;
}

static void pair_destroy(pair *p)
{
    zcs_kernel_destroy(p->kernel_a);
    zcs_kernel_destroy(p->kernel_b);
    zcs_program_destroy(p->program_a);
    zcs_program_destroy(p->program_b);
    ZCS_CK(zcs_array_destroy(p->a));
    ZCS_CK(zcs_array_destroy(p->b));
    zcs_test_context_destroy(p->context);
}

static void dispatch(zcs_kernel *kernel)
{
    size_t global = COUNT;
    size_t local = 64;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, &local));
}

/* Map an array for reading and unmap it: the map must return. */
static void map_and_unmap(zcs_array *array, uint32_t offset)
{
    zcs_test_expect_indexed(array, COUNT, offset);
}

/* The frame of a discrete GPU's application: the read map after a dispatch blocks once.
   Where the map is device work of its own (a staged copy, a runtime's map), it is queued
   behind the kernel and waited for with it, as a hand-written frame's blocking map is;
   it used to wait for the kernel first and then for its own copy. */
START_TEST(read_map_after_a_dispatch_blocks_once)
{
    zcs_context *context = zcs_test_context();
    zcs_array *array = zcs_test_indexed_u32(context, COUNT);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, array, COUNT, 1, &program);
    for (uint32_t frame = 1; frame <= 3; frame++) {
        uint32_t *p = NULL;
        ZCS_CK(zcs_array_map(array, ZCS_MAP_WRITE_DISCARD, (void **)&p));
        for (uint32_t i = 0; i < COUNT; i++)
            p[i] = i * frame;
        ZCS_CK(zcs_array_unmap(array));
        dispatch(kernel);
        uint64_t before = zcs_test_device_waits(context);
        ZCS_CK(zcs_array_map(array, ZCS_MAP_READ, (void **)&p));
        ck_assert_uint_eq(zcs_test_device_waits(context) - before, 1);
        for (uint32_t i = 0; i < COUNT; i++)
            ck_assert_uint_eq(p[i], i * frame + 1);
        ZCS_CK(zcs_array_unmap(array));
    }
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.map_waits, 3);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
}
END_TEST

#if ZCS_BUILT_WITH_OPENCL

static cl_context native_context(zcs_context *context)
{
    zcs_opencl_context_objects objects;
    ZCS_CK(zcs_opencl_context_native(context, &objects));
    return objects.context;
}

static cl_event user_event(zcs_context *context)
{
    cl_int error = CL_SUCCESS;
    cl_event event = clCreateUserEvent(native_context(context), &error);
    ck_assert_int_eq(error, CL_SUCCESS);
    return event;
}

static cl_int event_status(cl_event event)
{
    cl_int status = 0;
    ck_assert_int_eq(
        clGetEventInfo(event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, NULL),
        CL_SUCCESS);
    return status;
}

/* Whether zcs's work on `array` so far has finished, by its exported event. */
static int array_done(zcs_array *array)
{
    cl_event event = NULL;
    ZCS_CK(zcs_opencl_array_event(array, &event));
    int done = event_status(event) == CL_COMPLETE;
    ck_assert_int_eq(clReleaseEvent(event), CL_SUCCESS);
    return done;
}

START_TEST(map_waits_only_for_dispatches_of_its_array)
{
    pair p = pair_make();
    dispatch(p.kernel_b); /* B's dispatch comes before the hold */
    cl_event hold = user_event(p.context);
    ZCS_CK(zcs_opencl_wait_events(p.context, 1, &hold));
    dispatch(p.kernel_a); /* held: cannot run before the test releases it */

    /* B's newest dispatch is ahead of the hold: its map returns, with B's result, while
       A's dispatch cannot have run. A map that waited for the queue would never return. */
    map_and_unmap(p.b, 1);
    ck_assert(!array_done(p.a));
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(p.context, &stats));
    ck_assert_uint_le(stats.map_waits, 1);

    /* Released, A's dispatch runs and its map sees it. */
    ck_assert_int_eq(clSetUserEventStatus(hold, CL_COMPLETE), CL_SUCCESS);
    map_and_unmap(p.a, 1);
    cl_event finished = NULL;
    ZCS_CK(zcs_opencl_array_event(p.a, &finished));
    ck_assert_int_eq(clWaitForEvents(1, &finished), CL_SUCCESS);
    ck_assert_int_eq(clReleaseEvent(finished), CL_SUCCESS);
    ck_assert_int_eq(clReleaseEvent(hold), CL_SUCCESS);
    pair_destroy(&p);
}
END_TEST

START_TEST(dispatch_waits_for_application_work_on_its_array)
{
    pair p = pair_make();
    cl_event work = user_event(p.context); /* stands for the application's kernel on A */
    ZCS_CK(zcs_opencl_array_used_by(p.a, 1, &work));
    dispatch(p.kernel_b); /* before A's: dispatches run in order */
    dispatch(p.kernel_a);
    /* A's dispatch waits for the application's work, not B's map. */
    map_and_unmap(p.b, 1);
    ck_assert(!array_done(p.a));
    ck_assert_int_eq(clSetUserEventStatus(work, CL_COMPLETE), CL_SUCCESS);
    map_and_unmap(p.a, 1);
    ck_assert_int_eq(clReleaseEvent(work), CL_SUCCESS);
    pair_destroy(&p);
}
END_TEST

START_TEST(map_waits_for_application_work_on_its_array)
{
    pair p = pair_make();
    /* The application's work failed: the map waited for it, so it reports the failure
       (a map that did not wait would succeed). */
    cl_event work = user_event(p.context);
    ZCS_CK(zcs_opencl_array_used_by(p.a, 1, &work));
    ck_assert_int_eq(clSetUserEventStatus(work, -1), CL_SUCCESS);
    void *data = NULL;
    ZCS_CK_STATUS(zcs_array_map(p.a, ZCS_MAP_READ, &data), ZCS_ERROR_BACKEND);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "clWaitForEvents"));
    /* Reported once: the array is usable again. */
    map_and_unmap(p.a, 0);
    ck_assert_int_eq(clReleaseEvent(work), CL_SUCCESS);

    /* Finished work: the map goes through. */
    cl_event done = user_event(p.context);
    ck_assert_int_eq(clSetUserEventStatus(done, CL_COMPLETE), CL_SUCCESS);
    ZCS_CK(zcs_opencl_array_used_by(p.a, 1, &done));
    map_and_unmap(p.a, 0);
    ck_assert_int_eq(clReleaseEvent(done), CL_SUCCESS);
    pair_destroy(&p);
}
END_TEST

START_TEST(exported_events_complete_with_zcs_work)
{
    pair p = pair_make();
    dispatch(p.kernel_a);
    cl_event array_event = NULL;
    cl_event context_event = NULL;
    ZCS_CK(zcs_opencl_array_event(p.a, &array_event));
    ZCS_CK(zcs_opencl_context_event(p.context, &context_event));
    ck_assert_int_eq(clWaitForEvents(1, &array_event), CL_SUCCESS);
    ck_assert_int_eq(clWaitForEvents(1, &context_event), CL_SUCCESS);
    map_and_unmap(p.a, 1);
    /* Never used: an event that is complete at once. */
    cl_event idle = NULL;
    ZCS_CK(zcs_opencl_array_event(p.b, &idle));
    ck_assert_int_eq(clWaitForEvents(1, &idle), CL_SUCCESS);
    clReleaseEvent(idle);
    clReleaseEvent(array_event);
    clReleaseEvent(context_event);
    pair_destroy(&p);
}
END_TEST

START_TEST(bad_input_is_refused)
{
    pair p = pair_make();
    cl_event null_event = NULL;
    ZCS_CK_STATUS(zcs_opencl_wait_events(NULL, 0, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_opencl_wait_events(p.context, 1, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_opencl_wait_events(p.context, 1, &null_event), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK(zcs_opencl_wait_events(p.context, 0, NULL));
    ZCS_CK_STATUS(zcs_opencl_array_used_by(p.a, 1, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_opencl_array_event(p.a, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_opencl_context_event(p.context, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_opencl_array_event((zcs_array *)p.context, &null_event),
                  ZCS_ERROR_INVALID_HANDLE);

    /* An event of another OpenCL context. */
    zcs_context *other = zcs_test_context();
    cl_event foreign = user_event(other);
    ZCS_CK_STATUS(zcs_opencl_wait_events(p.context, 1, &foreign), ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_opencl_array_used_by(p.a, 1, &foreign), ZCS_ERROR_INVALID_ARGUMENT);
    /* Every user event ends complete before its release: one left pending can keep a
       runtime from finishing the context (this test did not finish on NVIDIA's OpenCL). */
    ck_assert_int_eq(clSetUserEventStatus(foreign, CL_COMPLETE), CL_SUCCESS);
    clReleaseEvent(foreign);
    zcs_test_context_destroy(other);

    /* The application may not use a mapped array. */
    cl_event work = user_event(p.context);
    void *data = NULL;
    ZCS_CK(zcs_array_map(p.a, ZCS_MAP_READ, &data));
    ZCS_CK_STATUS(zcs_opencl_array_used_by(p.a, 1, &work), ZCS_ERROR_MAPPED);
    ZCS_CK(zcs_array_unmap(p.a));
    ck_assert_int_eq(clSetUserEventStatus(work, CL_COMPLETE), CL_SUCCESS);
    clReleaseEvent(work);
    pair_destroy(&p);
}
END_TEST

#else /* Vulkan */

/*
 * Whether a map of an idle array can return while zcs's queue is held. Not on Vulkan's
 * staged tier: there a map is a copy submitted to the one queue zcs uses, behind the held
 * dispatch (lavapipe offers a single queue). OpenCL's maps and copies go to zcs's own
 * transfer queue on every tier.
 */
static int maps_pass_a_held_queue(zcs_context *context)
{
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    if (info.backend == ZCS_BACKEND_VULKAN && info.tier == ZCS_TIER_STAGED) {
        printf("skipped on Vulkan's staged tier: a map's copy queues behind the held "
               "dispatch\n");
        return 0;
    }
    return 1;
}

static VkDevice native_device(zcs_context *context)
{
    zcs_vulkan_context_objects objects;
    ZCS_CK(zcs_vulkan_context_native(context, &objects));
    return objects.device;
}

static VkSemaphore timeline_semaphore(zcs_context *context)
{
    VkSemaphoreTypeCreateInfo type_info = {
        .sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
        .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
    };
    VkSemaphoreCreateInfo info = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO,
                                  .pNext = &type_info};
    VkSemaphore semaphore = VK_NULL_HANDLE;
    ck_assert_int_eq(vkCreateSemaphore(native_device(context), &info, NULL, &semaphore),
                     VK_SUCCESS);
    return semaphore;
}

static void signal_value(zcs_context *context, VkSemaphore semaphore, uint64_t value)
{
    VkSemaphoreSignalInfo info = {
        .sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, .semaphore = semaphore, .value = value};
    ck_assert_int_eq(vkSignalSemaphore(native_device(context), &info), VK_SUCCESS);
}

/* Whether zcs's work on `array` so far has finished, by the exported timeline. */
static int array_done(zcs_context *context, zcs_array *array)
{
    VkSemaphore timeline = VK_NULL_HANDLE;
    uint64_t needed = 0;
    uint64_t reached = 0;
    ZCS_CK(zcs_vulkan_timeline(context, &timeline, NULL));
    ZCS_CK(zcs_vulkan_array_timeline_value(array, &needed));
    ck_assert_int_eq(vkGetSemaphoreCounterValue(native_device(context), timeline, &reached),
                     VK_SUCCESS);
    return reached >= needed;
}

START_TEST(map_waits_only_for_dispatches_of_its_array)
{
    pair p = pair_make();
    if (!maps_pass_a_held_queue(p.context)) {
        pair_destroy(&p);
        return;
    }
    dispatch(p.kernel_b); /* B's dispatch comes before the hold */
    VkSemaphore hold = timeline_semaphore(p.context);
    ZCS_CK(zcs_vulkan_wait_semaphore(p.context, hold, 1));
    dispatch(p.kernel_a); /* held: cannot run before the test signals */

    map_and_unmap(p.b, 1);
    ck_assert(!array_done(p.context, p.a));

    signal_value(p.context, hold, 1);
    map_and_unmap(p.a, 1);
    ck_assert(array_done(p.context, p.a));
    ZCS_CK(zcs_finish(p.context));
    vkDestroySemaphore(native_device(p.context), hold, NULL);
    pair_destroy(&p);
}
END_TEST

START_TEST(dispatch_waits_for_application_work_on_its_array)
{
    pair p = pair_make();
    if (!maps_pass_a_held_queue(p.context)) {
        pair_destroy(&p);
        return;
    }
    VkSemaphore work = timeline_semaphore(p.context);
    ZCS_CK(zcs_vulkan_array_used_by(p.a, work, 3));
    dispatch(p.kernel_b);
    dispatch(p.kernel_a); /* waits for the application's value 3 */
    ck_assert(!array_done(p.context, p.a));
    signal_value(p.context, work, 3);
    map_and_unmap(p.a, 1);
    map_and_unmap(p.b, 1);
    ZCS_CK(zcs_finish(p.context));
    vkDestroySemaphore(native_device(p.context), work, NULL);
    pair_destroy(&p);
}
END_TEST

START_TEST(map_waits_for_application_work_on_its_array)
{
    pair p = pair_make();
    VkSemaphore work = timeline_semaphore(p.context);
    /* Signalled before the map: the map's host wait returns; the value is kept until
       then (a lower value is already covered). */
    ZCS_CK(zcs_vulkan_array_used_by(p.a, work, 2));
    ZCS_CK(zcs_vulkan_array_used_by(p.a, work, 1));
    signal_value(p.context, work, 2);
    map_and_unmap(p.a, 0);
    vkDestroySemaphore(native_device(p.context), work, NULL);
    pair_destroy(&p);
}
END_TEST

START_TEST(exported_events_complete_with_zcs_work)
{
    pair p = pair_make();
    dispatch(p.kernel_a);
    VkSemaphore timeline = VK_NULL_HANDLE;
    uint64_t context_value = 0;
    uint64_t array_value = 0;
    ZCS_CK(zcs_vulkan_timeline(p.context, &timeline, &context_value));
    ZCS_CK(zcs_vulkan_array_timeline_value(p.a, &array_value));
    ck_assert_uint_ge(context_value, array_value);
    ck_assert_uint_gt(array_value, 0);
    VkSemaphoreWaitInfo wait = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
                                .semaphoreCount = 1,
                                .pSemaphores = &timeline,
                                .pValues = &context_value};
    ck_assert_int_eq(vkWaitSemaphores(native_device(p.context), &wait, UINT64_MAX), VK_SUCCESS);
    ck_assert(array_done(p.context, p.a));
    map_and_unmap(p.a, 1);
    uint64_t unused = 1;
    ZCS_CK(zcs_vulkan_array_timeline_value(p.b, &unused));
    ck_assert_uint_eq(unused, 0);
    pair_destroy(&p);
}
END_TEST

START_TEST(bad_input_is_refused)
{
    pair p = pair_make();
    ZCS_CK_STATUS(zcs_vulkan_wait_semaphore(NULL, VK_NULL_HANDLE, 0), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_vulkan_wait_semaphore(p.context, VK_NULL_HANDLE, 0), ZCS_ERROR_NULL_HANDLE);
    VkSemaphore work = timeline_semaphore(p.context);
    ZCS_CK_STATUS(zcs_vulkan_array_used_by(p.a, VK_NULL_HANDLE, 1), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_vulkan_array_used_by(p.a, work, 0), ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_vulkan_timeline(p.context, NULL, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_vulkan_array_timeline_value(p.a, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_vulkan_array_timeline_value((zcs_array *)p.context, NULL),
                  ZCS_ERROR_INVALID_HANDLE);
    void *data = NULL;
    ZCS_CK(zcs_array_map(p.a, ZCS_MAP_READ, &data));
    ZCS_CK_STATUS(zcs_vulkan_array_used_by(p.a, work, 1), ZCS_ERROR_MAPPED);
    ZCS_CK(zcs_array_unmap(p.a));
    vkDestroySemaphore(native_device(p.context), work, NULL);
    pair_destroy(&p);
}
END_TEST

#endif

static Suite *ordering_suite(void)
{
    Suite *suite = suite_create("ordering");
    TCase *tc = tcase_create("ordering");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, read_map_after_a_dispatch_blocks_once);
    tcase_add_test(tc, map_waits_only_for_dispatches_of_its_array);
    tcase_add_test(tc, dispatch_waits_for_application_work_on_its_array);
    tcase_add_test(tc, map_waits_for_application_work_on_its_array);
    tcase_add_test(tc, exported_events_complete_with_zcs_work);
    tcase_add_test(tc, bad_input_is_refused);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(ordering_suite());
}
