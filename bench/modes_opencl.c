/* The raw OpenCL modes: the copy-based baseline the way most code does it today
   (clEnqueueWriteBuffer, kernel, clEnqueueReadBuffer on a plain device buffer), each
   zero-copy tier written by hand, and the kernel alone on resident data. They run on
   the device the zcs automatic context chose, in the run's one OpenCL context, which the
   zcs modes attach to (bench_device_attach). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CL/cl.h>

#include <zcs/zcs_opencl.h>

#include "bench.h"

static struct {
    cl_context context;
    cl_command_queue queue;
    cl_program program;
    cl_device_id device;
    int ready;
    int failed; /* bench_cl_init failed once: not tried again */
} bench_cl;

static int bench_cl_fail(const char *what, cl_int error)
{
    fprintf(stderr, "zcs-bench: %s failed: OpenCL error %d\n", what, (int)error);
    return -1;
}

void bench_device_identify(zcs_context *probe, bench_device *device)
{
    zcs_opencl_context_objects objects;
    if (zcs_opencl_context_native(probe, &objects) == ZCS_SUCCESS)
        device->opencl_device = objects.device; /* a root device: valid after the probe */
}

/* The device zcs chose (bench_device_identify), else the first whose platform and device
   names are those zcs reported. */
static cl_device_id bench_cl_find_device(const bench_device *device)
{
    if (device->opencl_device != NULL)
        return (cl_device_id)device->opencl_device;
    cl_platform_id platforms[16];
    cl_uint platform_count = 0;
    if (clGetPlatformIDs(16, platforms, &platform_count) != CL_SUCCESS)
        return NULL;
    for (cl_uint p = 0; p < platform_count && p < 16; p++) {
        char name[256] = "";
        clGetPlatformInfo(platforms[p], CL_PLATFORM_NAME, sizeof name - 1, name, NULL);
        if (strcmp(name, device->info.platform_name) != 0)
            continue;
        cl_device_id devices[16];
        cl_uint device_count = 0;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 16, devices, &device_count) !=
            CL_SUCCESS)
            continue;
        for (cl_uint d = 0; d < device_count && d < 16; d++) {
            char device_name[256] = "";
            clGetDeviceInfo(devices[d], CL_DEVICE_NAME, sizeof device_name - 1, device_name, NULL);
            if (strcmp(device_name, device->info.device_name) == 0)
                return devices[d];
        }
    }
    return NULL;
}

static int bench_cl_init_once(const bench_device *device)
{
    cl_int error = CL_SUCCESS;
    bench_cl.device = bench_cl_find_device(device);
    if (bench_cl.device == NULL) {
        fprintf(stderr, "zcs-bench: raw OpenCL: device \"%s\" not found\n",
                device->info.device_name);
        return -1;
    }
    bench_cl.context = clCreateContext(NULL, 1, &bench_cl.device, NULL, NULL, &error);
    if (bench_cl.context == NULL)
        return bench_cl_fail("clCreateContext", error);
    bench_cl.queue =
        clCreateCommandQueueWithProperties(bench_cl.context, bench_cl.device, NULL, &error);
    if (bench_cl.queue == NULL)
        return bench_cl_fail("clCreateCommandQueueWithProperties", error);
    const char *source = bench_particles_advance_source;
    bench_cl.program = clCreateProgramWithSource(bench_cl.context, 1, &source, NULL, &error);
    if (bench_cl.program == NULL)
        return bench_cl_fail("clCreateProgramWithSource", error);
    error = clBuildProgram(bench_cl.program, 1, &bench_cl.device, NULL, NULL, NULL);
    if (error != CL_SUCCESS)
        return bench_cl_fail("clBuildProgram(particles_advance)", error);
    bench_cl.ready = 1;
    return 0;
}

/* The run's context, made once; after a failure, what was made is released (no device
   left open beside the zcs modes') and the failure stands. */
static int bench_cl_init(const bench_device *device)
{
    if (bench_cl.ready || bench_cl.failed)
        return bench_cl.ready ? 0 : -1;
    if (bench_cl_init_once(device) == 0)
        return 0;
    bench_raw_release();
    bench_cl.failed = 1;
    return -1;
}

int bench_device_open(const bench_device *device)
{
    return bench_cl_init(device);
}

zcs_status bench_device_attach(zcs_tier tier, zcs_wait wait, zcs_context **out_context)
{
    /* No queue: zcs makes its own in-order queues on the context, and the raw modes keep
       theirs. */
    zcs_opencl_attach_desc desc = {0};
    desc.context = bench_cl.context;
    desc.device = bench_cl.device;
    desc.tier = tier;
    desc.flags = ZCS_CONTEXT_IGNORE_ENVIRONMENT;
    desc.wait = wait;
    return zcs_opencl_context_attach(&desc, out_context);
}

void bench_raw_release(void)
{
    if (bench_cl.program != NULL)
        clReleaseProgram(bench_cl.program);
    if (bench_cl.queue != NULL)
        clReleaseCommandQueue(bench_cl.queue);
    if (bench_cl.context != NULL)
        clReleaseContext(bench_cl.context);
    memset(&bench_cl, 0, sizeof bench_cl);
}

/* An array on one tier, allocated by hand: ZCS_TIER_AUTO stands for a plain device
   buffer (CL_MEM_READ_WRITE), the copy-based baseline's. */
typedef struct bench_cl_state {
    zcs_tier tier;
    size_t count;
    size_t size;
    cl_kernel kernel;
    cl_mem mem;
    void *svm;
    zcs_particle *host; /* the copy-based baseline's host array */
} bench_cl_state;

static int bench_cl_alloc(bench_cl_state *s, size_t count)
{
    cl_int error = CL_SUCCESS;
    s->count = count;
    s->size = count * sizeof(zcs_particle);
    s->kernel = clCreateKernel(bench_cl.program, "particles_advance", &error);
    if (s->kernel == NULL)
        return bench_cl_fail("clCreateKernel", error);
    switch (s->tier) {
    case ZCS_TIER_SVM_FINE:
    case ZCS_TIER_SVM_COARSE: {
        cl_svm_mem_flags flags = CL_MEM_READ_WRITE;
        if (s->tier == ZCS_TIER_SVM_FINE)
            flags |= CL_MEM_SVM_FINE_GRAIN_BUFFER;
        s->svm = clSVMAlloc(bench_cl.context, flags, s->size, 128);
        if (s->svm == NULL)
            return bench_cl_fail("clSVMAlloc", CL_OUT_OF_RESOURCES);
        error = clSetKernelArgSVMPointer(s->kernel, 0, s->svm);
        break;
    }
    default: {
        cl_mem_flags flags = CL_MEM_READ_WRITE;
        if (s->tier == ZCS_TIER_HOST_PTR)
            flags |= CL_MEM_ALLOC_HOST_PTR;
        s->mem = clCreateBuffer(bench_cl.context, flags, s->size, NULL, &error);
        if (s->mem == NULL)
            return bench_cl_fail("clCreateBuffer", error);
        error = clSetKernelArg(s->kernel, 0, sizeof s->mem, &s->mem);
        break;
    }
    }
    if (error != CL_SUCCESS)
        return bench_cl_fail("clSetKernelArg(0)", error);
    cl_uint n = (cl_uint)count;
    float dt = BENCH_DT;
    float gravity = BENCH_GRAVITY;
    if ((error = clSetKernelArg(s->kernel, 1, sizeof n, &n)) != CL_SUCCESS ||
        (error = clSetKernelArg(s->kernel, 2, sizeof dt, &dt)) != CL_SUCCESS ||
        (error = clSetKernelArg(s->kernel, 3, sizeof gravity, &gravity)) != CL_SUCCESS)
        return bench_cl_fail("clSetKernelArg", error);
    return 0;
}

static void bench_cl_free(bench_cl_state *s)
{
    if (s->kernel != NULL)
        clReleaseKernel(s->kernel);
    if (s->mem != NULL)
        clReleaseMemObject(s->mem);
    if (s->svm != NULL)
        clSVMFree(bench_cl.context, s->svm);
    bench_aligned_free(s->host);
    zcs_tier tier = s->tier;
    memset(s, 0, sizeof *s);
    s->tier = tier;
}

static cl_int bench_cl_enqueue(bench_cl_state *s)
{
    size_t global = s->count;
    return clEnqueueNDRangeKernel(bench_cl.queue, s->kernel, 1, NULL, &global, NULL, 0, NULL, NULL);
}

static int bench_cl_setup(bench_mode *mode, size_t count)
{
    bench_cl_state *s = mode->state;
    return bench_cl_alloc(s, count);
}

static int bench_cl_teardown(bench_mode *mode, uint32_t frames_run)
{
    (void)frames_run;
    bench_cl_free(mode->state);
    return 0;
}

/* copy: the baseline. The host array is plain memory; the device buffer is written and
   read back every frame. */
static int bench_copy_setup(bench_mode *mode, size_t count)
{
    bench_cl_state *s = mode->state;
    if (bench_cl_alloc(s, count) != 0)
        return -1;
    s->host = bench_aligned_alloc(s->size);
    if (s->host == NULL) {
        fprintf(stderr, "zcs-bench: copy: out of host memory\n");
        return -1;
    }
    return 0;
}

static int bench_copy_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    bench_cl_state *s = mode->state;
    bench_write(s->host, s->count, frame);
    cl_int error =
        clEnqueueWriteBuffer(bench_cl.queue, s->mem, CL_FALSE, 0, s->size, s->host, 0, NULL, NULL);
    if (error != CL_SUCCESS)
        return bench_cl_fail("clEnqueueWriteBuffer", error);
    if ((error = bench_cl_enqueue(s)) != CL_SUCCESS)
        return bench_cl_fail("clEnqueueNDRangeKernel", error);
    error =
        clEnqueueReadBuffer(bench_cl.queue, s->mem, CL_TRUE, 0, s->size, s->host, 0, NULL, NULL);
    if (error != CL_SUCCESS)
        return bench_cl_fail("clEnqueueReadBuffer", error);
    *checksum = bench_checksum(s->host, s->count);
    return 0;
}

/* raw-<tier>: the zero-copy frame written by hand, as zcs does it on that tier. */
static int bench_raw_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    bench_cl_state *s = mode->state;
    cl_int error = CL_SUCCESS;
    zcs_particle *p = NULL;
    switch (s->tier) {
    case ZCS_TIER_SVM_FINE:
        /* One pointer, coherent: write, enqueue, wait, read. */
        bench_write(s->svm, s->count, frame);
        if ((error = bench_cl_enqueue(s)) != CL_SUCCESS)
            return bench_cl_fail("clEnqueueNDRangeKernel", error);
        if ((error = clFinish(bench_cl.queue)) != CL_SUCCESS)
            return bench_cl_fail("clFinish", error);
        *checksum = bench_checksum(s->svm, s->count);
        return 0;
    case ZCS_TIER_SVM_COARSE:
        error = clEnqueueSVMMap(bench_cl.queue, CL_TRUE, CL_MAP_WRITE_INVALIDATE_REGION, s->svm,
                                s->size, 0, NULL, NULL);
        if (error != CL_SUCCESS)
            return bench_cl_fail("clEnqueueSVMMap", error);
        bench_write(s->svm, s->count, frame);
        if ((error = clEnqueueSVMUnmap(bench_cl.queue, s->svm, 0, NULL, NULL)) != CL_SUCCESS)
            return bench_cl_fail("clEnqueueSVMUnmap", error);
        if ((error = bench_cl_enqueue(s)) != CL_SUCCESS)
            return bench_cl_fail("clEnqueueNDRangeKernel", error);
        error =
            clEnqueueSVMMap(bench_cl.queue, CL_TRUE, CL_MAP_READ, s->svm, s->size, 0, NULL, NULL);
        if (error != CL_SUCCESS)
            return bench_cl_fail("clEnqueueSVMMap", error);
        *checksum = bench_checksum(s->svm, s->count);
        if ((error = clEnqueueSVMUnmap(bench_cl.queue, s->svm, 0, NULL, NULL)) != CL_SUCCESS)
            return bench_cl_fail("clEnqueueSVMUnmap", error);
        return 0;
    default:
        p = clEnqueueMapBuffer(bench_cl.queue, s->mem, CL_TRUE, CL_MAP_WRITE_INVALIDATE_REGION, 0,
                               s->size, 0, NULL, NULL, &error);
        if (p == NULL)
            return bench_cl_fail("clEnqueueMapBuffer", error);
        bench_write(p, s->count, frame);
        if ((error = clEnqueueUnmapMemObject(bench_cl.queue, s->mem, p, 0, NULL, NULL)) !=
            CL_SUCCESS)
            return bench_cl_fail("clEnqueueUnmapMemObject", error);
        if ((error = bench_cl_enqueue(s)) != CL_SUCCESS)
            return bench_cl_fail("clEnqueueNDRangeKernel", error);
        p = clEnqueueMapBuffer(bench_cl.queue, s->mem, CL_TRUE, CL_MAP_READ, 0, s->size, 0, NULL,
                               NULL, &error);
        if (p == NULL)
            return bench_cl_fail("clEnqueueMapBuffer", error);
        *checksum = bench_checksum(p, s->count);
        if ((error = clEnqueueUnmapMemObject(bench_cl.queue, s->mem, p, 0, NULL, NULL)) !=
            CL_SUCCESS)
            return bench_cl_fail("clEnqueueUnmapMemObject", error);
        return 0;
    }
}

/* kernel: the kernel alone on data already on the device (written once at setup). */
static int bench_kernel_setup(bench_mode *mode, size_t count)
{
    bench_cl_state *s = mode->state;
    if (bench_copy_setup(mode, count) != 0)
        return -1;
    bench_write(s->host, count, 0);
    cl_int error =
        clEnqueueWriteBuffer(bench_cl.queue, s->mem, CL_TRUE, 0, s->size, s->host, 0, NULL, NULL);
    return error == CL_SUCCESS ? 0 : bench_cl_fail("clEnqueueWriteBuffer", error);
}

static int bench_kernel_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    (void)frame;
    bench_cl_state *s = mode->state;
    cl_int error = bench_cl_enqueue(s);
    if (error != CL_SUCCESS)
        return bench_cl_fail("clEnqueueNDRangeKernel", error);
    if ((error = clFinish(bench_cl.queue)) != CL_SUCCESS)
        return bench_cl_fail("clFinish", error);
    *checksum = 0;
    return 0;
}

static int bench_kernel_teardown(bench_mode *mode, uint32_t frames_run)
{
    bench_cl_state *s = mode->state;
    if (s->mem == NULL || s->host == NULL) { /* setup failed: nothing to check */
        bench_cl_free(s);
        return 0;
    }
    cl_int error =
        clEnqueueReadBuffer(bench_cl.queue, s->mem, CL_TRUE, 0, s->size, s->host, 0, NULL, NULL);
    size_t wrong = error == CL_SUCCESS ? bench_verify_resident(s->host, s->count, frames_run) : 1;
    if (wrong != 0)
        fprintf(stderr, "zcs-bench: kernel: %zu of %zu particles differ after %u steps\n", wrong,
                s->count, frames_run);
    bench_cl_free(s);
    return wrong != 0;
}

static void bench_cl_destroy(bench_mode *mode)
{
    free(mode->state);
    mode->state = NULL;
}

static void bench_cl_mode_init(bench_mode *mode, const char *name, const char *group,
                               const char *what, zcs_tier tier, bench_verify verify,
                               int (*setup)(bench_mode *, size_t),
                               int (*frame)(bench_mode *, uint32_t, uint64_t *),
                               int (*teardown)(bench_mode *, uint32_t), int ready)
{
    memset(mode, 0, sizeof *mode);
    snprintf(mode->name, sizeof mode->name, "%s", name);
    mode->group = group;
    mode->what = what;
    mode->tier = tier;
    mode->verify = verify;
    mode->arrays = setup == bench_cl_setup ? 1 : 2;
    mode->setup = setup;
    mode->frame = frame;
    mode->teardown = teardown;
    mode->destroy = bench_cl_destroy;
    bench_cl_state *s = calloc(1, sizeof *s);
    if (s != NULL)
        s->tier = tier;
    mode->state = s;
    mode->available = ready && s != NULL;
    if (!mode->available)
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "raw OpenCL setup failed");
}

int bench_raw_modes(const bench_config *config, const bench_device *device, const zcs_tier *tiers,
                    int tier_count, bench_mode *modes, int max_modes)
{
    (void)config;
    (void)tiers;
    (void)tier_count;
    int ready = bench_cl_init(device) == 0;
    int n = 0;
    if (n < max_modes)
        bench_cl_mode_init(&modes[n++], "copy", "copy",
                           "clEnqueueWriteBuffer, kernel, clEnqueueReadBuffer on a device buffer",
                           ZCS_TIER_AUTO, BENCH_VERIFY_AFTER_STEP, bench_copy_setup,
                           bench_copy_frame, bench_cl_teardown, ready);
    /* device->tiers holds the tiers selected and offered (see bench_zcs_modes). */
    for (int i = 0; i < device->tier_count && n < max_modes; i++) {
        /* The staged tier is zcs's own copy: its raw twin is the copy mode. */
        if (device->tiers[i] == ZCS_TIER_STAGED)
            continue;
        char name[32];
        snprintf(name, sizeof name, "raw-%s", zcs_tier_name(device->tiers[i]));
        bench_cl_mode_init(&modes[n++], name, "raw",
                           "the same zero-copy tier written by hand in the raw OpenCL API",
                           device->tiers[i], BENCH_VERIFY_AFTER_STEP, bench_cl_setup,
                           bench_raw_frame, bench_cl_teardown, ready);
    }
    if (n < max_modes)
        bench_cl_mode_init(&modes[n++], "kernel", "floor",
                           "the kernel alone on data already on the device (clFinish each)",
                           ZCS_TIER_AUTO, BENCH_VERIFY_AT_END, bench_kernel_setup,
                           bench_kernel_frame, bench_kernel_teardown, ready);
    return n;
}

int bench_raw_dispatch(const bench_config *config, const bench_device *device, size_t count,
                       uint32_t iterations, bench_dispatch_result *out)
{
    (void)config;
    memset(out, 0, sizeof *out);
    out->api = "raw OpenCL";
    out->tier = device->info.tier;
    if (bench_cl_init(device) != 0)
        return -1;
    bench_cl_state s = {.tier = device->info.tier};
    bench_dispatch_samples samples;
    int rc =
        bench_dispatch_samples_init(&samples, iterations) != 0 ? -1 : bench_cl_alloc(&s, count);
    if (rc == 0 && s.svm != NULL)
        bench_write(s.svm, count, 0);
    /* As zcs_dispatch does: enqueue and flush, then wait. */
    for (uint32_t i = 0; rc == 0 && i < iterations + BENCH_DISPATCH_WARMUP; i++) {
        uint64_t t0 = bench_now_ns();
        cl_int error = bench_cl_enqueue(&s);
        if (error == CL_SUCCESS)
            error = clFlush(bench_cl.queue);
        uint64_t t1 = bench_now_ns();
        if (error == CL_SUCCESS)
            error = clFinish(bench_cl.queue);
        uint64_t t2 = bench_now_ns();
        if (error != CL_SUCCESS)
            rc = bench_cl_fail("clEnqueueNDRangeKernel/clFinish", error);
        else
            bench_dispatch_samples_add(&samples, i, t0, t1, t2);
    }
    bench_dispatch_samples_finish(&samples, rc == 0, out);
    bench_cl_free(&s);
    return rc;
}
