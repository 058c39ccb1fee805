/*
 * What only the OpenCL backend does: backend errors named in the message, allocation
 * flags passed on as CL_MEM_* bits, one stable pointer on the SVM tiers, how each wait
 * polls under ZCS_WAIT_POLL (and not under ZCS_WAIT_BLOCK). Registered for OpenCL builds
 * only.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <zcs/struct_check.h>

#include "opencl/internal.h"
#include "support/cl_faults.h"
#include "support/fault_counter.h"
#include "support/zcs_test_internal.h"
#include "zcs/zcs_opencl.h"

START_TEST(error_names_are_opencl_names)
{
    ck_assert_str_eq(zcs__cl_error_name(CL_INVALID_VALUE), "CL_INVALID_VALUE");
    ck_assert_str_eq(zcs__cl_error_name(CL_OUT_OF_RESOURCES), "CL_OUT_OF_RESOURCES");
    ck_assert_str_eq(zcs__cl_error_name(CL_INVALID_KERNEL_ARGS), "CL_INVALID_KERNEL_ARGS");
    ck_assert_str_eq(zcs__cl_error_name(-12345), "CL_UNKNOWN_ERROR");
}
END_TEST

START_TEST(a_failing_call_is_named_with_its_error)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 64, 0, &buffer));
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_builtin(context, "increment_u32", &program));
    ZCS_CK(zcs_kernel_create(program, "increment_u32", &kernel));
    const uint32_t count = 64, amount = 1;
    ZCS_CK(zcs_kernel_set_array(kernel, 0, buffer));
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof amount, &amount));

    /* The next OpenCL call, the enqueue, fails with CL_INVALID_VALUE. */
    cl_faults_install();
    cl_faults_arm(1, CL_INVALID_VALUE);
    size_t global = count;
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_DISPATCH);
    ck_assert_str_eq(fault_counter_fired_call(), "clEnqueueNDRangeKernel");
    cl_faults_remove();
    ck_assert_msg(
        strstr(zcs_last_error(), "clEnqueueNDRangeKernel failed: CL_INVALID_VALUE (-30)") != NULL,
        "message: %s", zcs_last_error());
    ck_assert_str_eq(zcs_context_last_error(context), zcs_last_error());
    ck_assert_int_eq(zcs_context_last_backend_error(context), CL_INVALID_VALUE);
    /* Out of resources reads as out of memory. */
    cl_faults_install();
    cl_faults_arm(1, CL_OUT_OF_RESOURCES);
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_OUT_OF_MEMORY);
    cl_faults_remove();
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "CL_OUT_OF_RESOURCES"));
    /* And the context goes on. */
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ZCS_CK(zcs_finish(context));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

/* A staged dispatch whose kernel cannot be enqueued after its array's upload was: the
   upload still reads the host copy, and no dispatch of the array covers it, so the failed
   dispatch waits for it (one device wait) before the host may write that copy again. */
START_TEST(a_failed_staged_dispatch_waits_for_its_upload)
{
    enum { N = 1024 };
    zcs_context_desc desc = {0};
    desc.tier = ZCS_TIER_STAGED;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    zcs_array *array = zcs_test_indexed_u32(context, N); /* its upload is deferred */
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, array, N, 1, &program);
    uint64_t waits = zcs_test_device_waits(context);
    cl_faults_install();
    cl_faults_arm(2, CL_INVALID_VALUE); /* the upload, then the kernel */
    size_t global = N;
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_DISPATCH);
    ck_assert_str_eq(fault_counter_fired_call(), "clEnqueueNDRangeKernel");
    cl_faults_remove();
    ck_assert_uint_eq(zcs_test_device_waits(context) - waits, 1);
    zcs_test_expect_indexed(array, N, 0);
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(array, N, 1);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(allocation_flags_become_cl_mem_bits)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    zcs_array *upload = NULL;
    zcs_array *readback = NULL;
    ZCS_CK(zcs_array_create(context, 4, 16, ZCS_ARRAY_HOST_WRITE_ONLY | ZCS_ARRAY_DEVICE_READ_ONLY,
                            &upload));
    ZCS_CK(zcs_array_create(context, 4, 16, ZCS_ARRAY_HOST_READ_ONLY | ZCS_ARRAY_DEVICE_WRITE_ONLY,
                            &readback));
    if (info.tier == ZCS_TIER_HOST_PTR) {
        cl_mem_flags flags = 0;
        ck_assert_int_eq(
            clGetMemObjectInfo(((zcs_array *)zcs_test_object(upload, ZCS__MAGIC_ARRAY))->impl->mem,
                               CL_MEM_FLAGS, sizeof flags, &flags, NULL),
            CL_SUCCESS);
        ck_assert(flags & CL_MEM_ALLOC_HOST_PTR);
        ck_assert(flags & CL_MEM_HOST_WRITE_ONLY);
        ck_assert(flags & CL_MEM_READ_ONLY);
        ck_assert_int_eq(clGetMemObjectInfo(
                             ((zcs_array *)zcs_test_object(readback, ZCS__MAGIC_ARRAY))->impl->mem,
                             CL_MEM_FLAGS, sizeof flags, &flags, NULL),
                         CL_SUCCESS);
        ck_assert(flags & CL_MEM_HOST_READ_ONLY);
        ck_assert(flags & CL_MEM_WRITE_ONLY);
    } else if (info.tier == ZCS_TIER_STAGED) {
        /* A plain device buffer with the kernel-access bits; the host reaches it only
           through zcs's copies. */
        cl_mem_flags flags = 0;
        ck_assert_int_eq(
            clGetMemObjectInfo(((zcs_array *)zcs_test_object(upload, ZCS__MAGIC_ARRAY))->impl->mem,
                               CL_MEM_FLAGS, sizeof flags, &flags, NULL),
            CL_SUCCESS);
        ck_assert(flags & CL_MEM_READ_ONLY);
        ck_assert((flags & (CL_MEM_ALLOC_HOST_PTR | CL_MEM_USE_HOST_PTR)) == 0);
        ck_assert_ptr_null(((zcs_array *)zcs_test_object(upload, ZCS__MAGIC_ARRAY))->impl->svm);
    } else {
        /* SVM takes the kernel-access bits only; the host-access intent is zcs's to enforce
           (check_array: host_access_flags_restrict_maps). */
        ck_assert_ptr_nonnull(((zcs_array *)zcs_test_object(upload, ZCS__MAGIC_ARRAY))->impl->svm);
        ck_assert_ptr_null(((zcs_array *)zcs_test_object(upload, ZCS__MAGIC_ARRAY))->impl->mem);
    }
    ZCS_CK(zcs_array_destroy(upload));
    ZCS_CK(zcs_array_destroy(readback));
    zcs_test_context_destroy(context);
}
END_TEST

/* Counted: dispatches that ask the runtime for an event, markers, and maps and reads that
   ask for an event (they block without one). */
static zcs__cl_api real_calls;
static unsigned long kernel_events;
static unsigned long markers;
static unsigned long map_events;

static cl_int CL_API_CALL counting_enqueue_kernel(cl_command_queue queue, cl_kernel kernel,
                                                  cl_uint dims, const size_t *offset,
                                                  const size_t *global, const size_t *local,
                                                  cl_uint wait_count, const cl_event *waits,
                                                  cl_event *event)
{
    kernel_events += event != NULL;
    return real_calls.clEnqueueNDRangeKernel(queue, kernel, dims, offset, global, local, wait_count,
                                             waits, event);
}

static cl_int CL_API_CALL counting_marker(cl_command_queue queue, cl_uint wait_count,
                                          const cl_event *waits, cl_event *event)
{
    markers++;
    return real_calls.clEnqueueMarkerWithWaitList(queue, wait_count, waits, event);
}

static void *CL_API_CALL counting_map_buffer(cl_command_queue queue, cl_mem buffer,
                                             cl_bool blocking, cl_map_flags flags, size_t offset,
                                             size_t size, cl_uint wait_count, const cl_event *waits,
                                             cl_event *event, cl_int *error)
{
    map_events += event != NULL;
    return real_calls.clEnqueueMapBuffer(queue, buffer, blocking, flags, offset, size, wait_count,
                                         waits, event, error);
}

static cl_int CL_API_CALL counting_svm_map(cl_command_queue queue, cl_bool blocking,
                                           cl_map_flags flags, void *pointer, size_t size,
                                           cl_uint wait_count, const cl_event *waits,
                                           cl_event *event)
{
    map_events += event != NULL;
    return real_calls.clEnqueueSVMMap(queue, blocking, flags, pointer, size, wait_count, waits,
                                      event);
}

static cl_int CL_API_CALL counting_read_buffer(cl_command_queue queue, cl_mem buffer,
                                               cl_bool blocking, size_t offset, size_t size,
                                               void *host, cl_uint wait_count,
                                               const cl_event *waits, cl_event *event)
{
    map_events += event != NULL;
    return real_calls.clEnqueueReadBuffer(queue, buffer, blocking, offset, size, host, wait_count,
                                          waits, event);
}

/* Count from now what the wrappers count. */
static void counting_install(void)
{
    real_calls = zcs__cl;
    zcs__cl.clEnqueueNDRangeKernel = counting_enqueue_kernel;
    zcs__cl.clEnqueueMarkerWithWaitList = counting_marker;
    zcs__cl.clEnqueueMapBuffer = counting_map_buffer;
    zcs__cl.clEnqueueSVMMap = counting_svm_map;
    zcs__cl.clEnqueueReadBuffer = counting_read_buffer;
    kernel_events = 0;
    markers = 0;
    map_events = 0;
}

static void counting_remove(void)
{
    zcs__cl = real_calls;
}

/* A context on the device under test whose waits are forced to `wait` (poll budget
   `poll_us`, 0 for the default), on `tier` (ZCS_TIER_AUTO: ZCS_TIER's, as ctest sets it).
   NULL where a tier asked for is one the device lacks. */
static zcs_context *wait_context(zcs_wait wait, uint32_t poll_us, zcs_tier tier)
{
    zcs_context_desc desc = {0};
    desc.wait = wait;
    desc.wait_poll_us = poll_us;
    desc.tier = tier;
    zcs_context *context = NULL;
    zcs_status status = zcs_context_create(&desc, &context);
    if (tier != ZCS_TIER_AUTO && status == ZCS_ERROR_UNSUPPORTED)
        return NULL;
    ZCS_CK(status);
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.wait, wait);
    uint32_t budget = poll_us != 0 ? poll_us : ZCS_DEFAULT_WAIT_POLL_US;
    ck_assert_uint_eq(info.wait_poll_us, wait == ZCS_WAIT_POLL ? budget : 0);
    ck_assert_ptr_nonnull(strstr(info.wait_reason, "forced"));
    return context;
}

/* A frame asks the runtime for no event, as a hand-written frame does (no event object
   made and released per dispatch). A map of the newest dispatch's array waits for the
   queue itself; a marker stands in for a dispatch only once another is queued behind it
   while its array has not been waited for, and the map of that array then waits for the
   marker, not for the later dispatch. */
START_TEST(frames_ask_for_no_events)
{
    enum { N = 1024 };
    /* Blocking waits: under ZCS_WAIT_POLL (ZCS_WAIT=poll) a finish polls a marker. */
    zcs_context *context = wait_context(ZCS_WAIT_BLOCK, 0, ZCS_TIER_AUTO);
    zcs_array *first = zcs_test_indexed_u32(context, N);
    zcs_array *second = zcs_test_indexed_u32(context, N);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, first, N, 1, &program);
    counting_install();
    size_t global = N;
    for (uint32_t frame = 0; frame < 5; frame++) {
        uint32_t *data = NULL;
        ZCS_CK(zcs_array_map(first, ZCS_MAP_WRITE_DISCARD, (void **)&data));
        for (uint32_t i = 0; i < N; i++)
            data[i] = i + frame;
        ZCS_CK(zcs_array_unmap(first));
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
        zcs_test_expect_indexed(first, N, frame + 1);
    }
    ck_assert_uint_eq(kernel_events, 0);
    ck_assert_uint_eq(markers, 0);
    /* Dispatches of one array back to back need no marker either. */
    for (int i = 0; i < 3; i++)
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ck_assert_uint_eq(markers, 0);
    /* Another array's dispatch behind it: one marker, for the first array. */
    zcs_test_set_increment_args(kernel, second, N, 2);
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ck_assert_uint_eq(markers, 1);
    zcs_test_expect_indexed(first, N, 5 + 3);
    zcs_test_expect_indexed(second, N, 2);
    ck_assert_uint_eq(kernel_events, 0);
    ck_assert_uint_eq(markers, 1);
    counting_remove();
    ZCS_CK(zcs_array_destroy(first));
    ZCS_CK(zcs_array_destroy(second));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(svm_tiers_map_to_the_one_shared_pointer)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    zcs_array *buffer = NULL;
    ZCS_CK(zcs_array_create(context, 16, 100, 0, &buffer));
    void *first = NULL;
    void *second = NULL;
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE, &first));
    ZCS_CK(zcs_array_unmap(buffer));
    ZCS_CK(zcs_array_map_range(buffer, ZCS_MAP_READ, 10, 5, &second));
    ZCS_CK(zcs_array_unmap(buffer));
    /* SVM tiers, and every tier of a unified device, map the array in place. */
    if (info.unified_memory || info.tier != ZCS_TIER_HOST_PTR)
        ck_assert_ptr_eq((char *)first + 10 * 16, second);
    if (info.tier == ZCS_TIER_STAGED) {
        /* A host copy: the same copy for every map, but no device address. */
        ck_assert_ptr_eq((char *)first + 10 * 16, second);
        uint64_t address = 0;
        ZCS_CK_STATUS(zcs_array_device_address(buffer, &address), ZCS_ERROR_UNSUPPORTED);
    } else if (info.tier != ZCS_TIER_HOST_PTR) {
        uint64_t address = 0;
        ZCS_CK(zcs_array_device_address(buffer, &address));
        ck_assert_ptr_eq((void *)(uintptr_t)address, first);
        ck_assert_ptr_eq(((zcs_array *)zcs_test_object(buffer, ZCS__MAGIC_ARRAY))->impl->svm,
                         first);
    }
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Wait policies: polls before blocking (ZCS_WAIT_POLL), never (ZCS_WAIT_BLOCK) */
/* ------------------------------------------------------------------------ */

/* The wait counters of zcs_stats. */
typedef struct wait_counts {
    uint64_t device_waits;
    uint64_t polled_waits;
    uint64_t poll_timeouts;
} wait_counts;

static wait_counts wait_counts_get(zcs_context *context)
{
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_le(stats.poll_timeouts, stats.polled_waits);
    ck_assert_uint_le(stats.polled_waits, stats.device_waits);
    wait_counts counts = {stats.device_waits, stats.polled_waits, stats.poll_timeouts};
    return counts;
}

/* What the counters grew by since `before`. */
static wait_counts wait_counts_since(zcs_context *context, wait_counts before)
{
    wait_counts now = wait_counts_get(context);
    wait_counts grown = {now.device_waits - before.device_waits,
                         now.polled_waits - before.polled_waits,
                         now.poll_timeouts - before.poll_timeouts};
    return grown;
}

/*
 * One frame and a finish on a context whose waits are `wait` (`context`'s): a dispatch and
 * a read map, which waits once for the kernel on every tier (behind the kernel for a
 * runtime's map or a staged copy, on the host on svm_fine); a dispatch and zcs_finish, one
 * wait for both of zcs's queues; a map of the finished array (none on svm_fine, the map's
 * own command elsewhere, or nothing where a read-ahead holds the range) and the free (a
 * finish of the transfer queue on svm_coarse, of the host copy's unmap on staged). Under
 * ZCS_WAIT_POLL every one of those waits polls once; under ZCS_WAIT_BLOCK none does, and
 * no marker or event is made for it (counted through the call table).
 */
static void frame_and_finish(zcs_context *context, uint32_t count)
{
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    int poll = info.wait == ZCS_WAIT_POLL;
    zcs_array *array = zcs_test_indexed_u32(context, count);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, array, count, 1, &program);
    size_t global = count;

    counting_install();
    wait_counts before = wait_counts_get(context);
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(array, count, 1);
    wait_counts grown = wait_counts_since(context, before);
    ck_assert_uint_eq(grown.device_waits, 1);
    ck_assert_uint_eq(grown.polled_waits, (uint64_t)poll);
    ck_assert_uint_le(grown.poll_timeouts, grown.polled_waits);
    /* Polled: the map (or staged copy) is a command that asks for its event, or on
       svm_fine a finish of the dispatch queue polls a marker behind the kernel. */
    if (!poll)
        ck_assert_uint_eq(markers + map_events, 0);
    else if (info.tier == ZCS_TIER_SVM_FINE)
        ck_assert_uint_eq(markers, 1);
    else
        ck_assert_uint_eq(map_events, 1);

    markers = 0;
    map_events = 0;
    before = wait_counts_get(context);
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ZCS_CK(zcs_finish(context));
    grown = wait_counts_since(context, before);
    ck_assert_uint_eq(grown.device_waits, 1);
    ck_assert_uint_eq(grown.polled_waits, (uint64_t)poll);
    ck_assert_uint_eq(markers, poll ? 2 : 0); /* one on each queue, polled together */
    ck_assert_uint_eq(map_events, 0);

    map_events = 0;
    before = wait_counts_get(context);
    zcs_test_expect_indexed(array, count, 2);
    grown = wait_counts_since(context, before);
    ck_assert_uint_le(grown.device_waits, info.tier == ZCS_TIER_SVM_FINE ? 0 : 1);
    ck_assert_uint_eq(grown.polled_waits, poll ? grown.device_waits : 0);
    ck_assert_uint_eq(map_events, poll ? grown.device_waits : 0);

    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    before = wait_counts_get(context);
    ZCS_CK(zcs_array_destroy(array));
    grown = wait_counts_since(context, before);
    ck_assert_uint_eq(grown.polled_waits, poll ? grown.device_waits : 0);
    counting_remove();
    if (!poll) {
        wait_counts total = wait_counts_get(context);
        ck_assert_uint_eq(total.polled_waits, 0);
        ck_assert_uint_eq(total.poll_timeouts, 0);
    }
}

START_TEST(forced_poll_polls_each_wait_once)
{
    zcs_context *context = wait_context(ZCS_WAIT_POLL, 0, ZCS_TIER_AUTO);
    frame_and_finish(context, 1024);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(blocking_waits_never_poll)
{
    zcs_context *context = wait_context(ZCS_WAIT_BLOCK, 0, ZCS_TIER_AUTO);
    frame_and_finish(context, 1024);
    zcs_test_context_destroy(context);
}
END_TEST

/* Forced polling on every tier the device offers, with a budget that runs out at once
   (1 us: the waits then block, and the results are still right) and one no wait here
   outlasts (10 s: every poll sees its work done, which only a flushed queue lets it do). */
START_TEST(forced_poll_works_on_every_tier)
{
    enum { N = 1 << 16 };
    static const uint32_t budgets[] = {1, 10u * 1000u * 1000u};
    int offered = 0;
    for (int t = ZCS_TIER_SVM_FINE; t < ZCS_TIER_COUNT; t++) {
        for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
            zcs_context *context = wait_context(ZCS_WAIT_POLL, budgets[b], (zcs_tier)t);
            if (context == NULL)
                continue;
            offered += b == 0;
            frame_and_finish(context, N);
            /* Three dispatches behind each other, then a map for writing that keeps the
               contents (a staged copy, a runtime's map, a wait on svm_fine): one wait. */
            zcs_array *array = zcs_test_indexed_u32(context, N);
            zcs_program *program = NULL;
            zcs_kernel *kernel = zcs_test_increment_kernel(context, array, N, 1, &program);
            size_t global = N;
            for (int i = 0; i < 3; i++)
                ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
            wait_counts before = wait_counts_get(context);
            uint32_t *data = NULL;
            ZCS_CK(zcs_array_map(array, ZCS_MAP_READ_WRITE, (void **)&data));
            wait_counts grown = wait_counts_since(context, before);
            ck_assert_uint_eq(grown.device_waits, 1);
            ck_assert_uint_eq(grown.polled_waits, 1);
            for (uint32_t i = 0; i < N; i++)
                ck_assert_uint_eq(data[i], i + 3);
            data[0] = 7;
            ZCS_CK(zcs_array_unmap(array));
            ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
            ZCS_CK(zcs_array_map_range(array, ZCS_MAP_READ, 0, 2, (void **)&data));
            ck_assert_uint_eq(data[0], 8);
            ck_assert_uint_eq(data[1], 5);
            ZCS_CK(zcs_array_unmap(array));
            zcs_kernel_destroy(kernel);
            zcs_program_destroy(program);
            ZCS_CK(zcs_array_destroy(array));
            wait_counts total = wait_counts_get(context);
            if (budgets[b] > 1)
                ck_assert_uint_eq(total.poll_timeouts, 0);
            printf("%s, poll budget %u us: %llu waits, %llu polled, %llu ran out\n",
                   zcs_tier_name((zcs_tier)t), (unsigned)budgets[b],
                   (unsigned long long)total.device_waits, (unsigned long long)total.polled_waits,
                   (unsigned long long)total.poll_timeouts);
            zcs_test_context_destroy(context);
        }
    }
    ck_assert_int_ge(offered, 2); /* host_ptr and staged at least; PoCL has all four */
}
END_TEST

/* Releases `hold` once the context's poll has run out (or after 10 s, then noting that
   it never did), so that the wait that polled blocks deterministically. */
typedef struct releaser {
    zcs_context *context;
    cl_event hold;
    uint64_t timeouts_before;
    int ran_out;
} releaser;

static void *release_after_timeout(void *argument)
{
    releaser *r = argument;
    for (int i = 0; i < 10000 && !r->ran_out; i++) {
        zcs_stats stats;
        if (zcs_stats_get(r->context, &stats) == ZCS_SUCCESS &&
            stats.poll_timeouts > r->timeouts_before)
            r->ran_out = 1;
        else
            nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    clSetUserEventStatus(r->hold, CL_COMPLETE);
    return NULL;
}

/* A poll whose work cannot finish meanwhile (the dispatch queue held on an application
   event, zcs_opencl_wait_events) runs out of budget, counts that, then blocks until the
   work is done, and the map sees the kernel's result: one wait, polled, timed out. */
START_TEST(a_poll_that_runs_out_then_blocks)
{
    enum { N = 1024 };
    zcs_context *context = wait_context(ZCS_WAIT_POLL, 1000, ZCS_TIER_AUTO);
    zcs_array *array = zcs_test_indexed_u32(context, N);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, array, N, 1, &program);
    cl_int error = CL_SUCCESS;
    zcs_context *object = zcs_test_object(context, ZCS__MAGIC_CONTEXT);
    cl_event hold = clCreateUserEvent(object->impl->cl_context, &error);
    ck_assert_int_eq(error, CL_SUCCESS);
    ZCS_CK(zcs_opencl_wait_events(context, 1, &hold));
    size_t global = N;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));

    wait_counts before = wait_counts_get(context);
    releaser r = {context, hold, before.poll_timeouts, 0};
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, release_after_timeout, &r), 0);
    zcs_test_expect_indexed(array, N, 1);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    ck_assert_msg(r.ran_out, "the poll never ran out while the queue was held");
    wait_counts grown = wait_counts_since(context, before);
    ck_assert_uint_eq(grown.device_waits, 1);
    ck_assert_uint_eq(grown.polled_waits, 1);
    ck_assert_uint_eq(grown.poll_timeouts, 1);

    ck_assert_int_eq(clReleaseEvent(hold), CL_SUCCESS);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
}
END_TEST

/* The automatic choice blocks on OpenCL whatever the device: on NVIDIA's discrete GPUs its
   own wait was faster than a poll (docs/benchmarks.md). */
START_TEST(automatic_wait_blocks_on_opencl)
{
    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_IGNORE_ENVIRONMENT;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    zcs_context *object = zcs_test_object(context, ZCS__MAGIC_CONTEXT);
    ck_assert_int_eq(object->info.wait, ZCS_WAIT_BLOCK);
    zcs_context_info real = object->info;
    object->info.is_gpu = 1;
    object->info.unified_memory = 0;
    zcs__wait_resolve(object, ZCS_WAIT_AUTO, 0, "the test");
    ck_assert_int_eq(object->info.wait, ZCS_WAIT_BLOCK);
    ck_assert_uint_eq(object->wait_poll_ns, 0);
    ck_assert_ptr_nonnull(strstr(object->info.wait_reason, "OpenCL runtime's own wait"));
    object->info.is_gpu = real.is_gpu;
    object->info.unified_memory = real.unified_memory;
    zcs__wait_resolve(object, ZCS_WAIT_AUTO, 0, "the test");
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *opencl_suite(void)
{
    Suite *suite = suite_create("opencl");
    TCase *tc = tcase_create("opencl");
    tcase_add_test(tc, error_names_are_opencl_names);
    tcase_add_test(tc, a_failing_call_is_named_with_its_error);
    tcase_add_test(tc, a_failed_staged_dispatch_waits_for_its_upload);
    tcase_add_test(tc, allocation_flags_become_cl_mem_bits);
    tcase_add_test(tc, svm_tiers_map_to_the_one_shared_pointer);
    tcase_add_test(tc, frames_ask_for_no_events);
    tcase_add_test(tc, forced_poll_polls_each_wait_once);
    tcase_add_test(tc, blocking_waits_never_poll);
    tcase_add_test(tc, forced_poll_works_on_every_tier);
    tcase_add_test(tc, a_poll_that_runs_out_then_blocks);
    tcase_add_test(tc, automatic_wait_blocks_on_opencl);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(opencl_suite());
}
