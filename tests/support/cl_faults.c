/* OpenCL fault injection for the tests (see cl_faults.h). */
#include "support/cl_faults.h"
#include "support/fault_counter.h"

static zcs__cl_api real;
static int installed;
static cl_int armed_error;

static cl_int CL_API_CALL fault_clGetPlatformIDs(cl_uint a, cl_platform_id *b, cl_uint *c)
{
    if (fault_counter_hits("clGetPlatformIDs"))
        return armed_error;
    return real.clGetPlatformIDs(a, b, c);
}

static cl_int CL_API_CALL fault_clGetPlatformInfo(cl_platform_id a, cl_platform_info b, size_t c,
                                                  void *d, size_t *e)
{
    if (fault_counter_hits("clGetPlatformInfo"))
        return armed_error;
    return real.clGetPlatformInfo(a, b, c, d, e);
}

static cl_int CL_API_CALL fault_clGetDeviceIDs(cl_platform_id a, cl_device_type b, cl_uint c,
                                               cl_device_id *d, cl_uint *e)
{
    if (fault_counter_hits("clGetDeviceIDs"))
        return armed_error;
    return real.clGetDeviceIDs(a, b, c, d, e);
}

static cl_int CL_API_CALL fault_clGetDeviceInfo(cl_device_id a, cl_device_info b, size_t c, void *d,
                                                size_t *e)
{
    if (fault_counter_hits("clGetDeviceInfo"))
        return armed_error;
    return real.clGetDeviceInfo(a, b, c, d, e);
}

static cl_context CL_API_CALL fault_clCreateContext(
    const cl_context_properties *a, cl_uint b, const cl_device_id *c,
    void(CL_CALLBACK *d)(const char *, const void *, size_t, void *), void *e, cl_int *errcode_ret)
{
    if (fault_counter_hits("clCreateContext")) {
        if (errcode_ret != NULL)
            *errcode_ret = armed_error;
        return NULL;
    }
    return real.clCreateContext(a, b, c, d, e, errcode_ret);
}

static cl_int CL_API_CALL fault_clReleaseContext(cl_context a)
{
    return real.clReleaseContext(a);
}

static cl_command_queue CL_API_CALL fault_clCreateCommandQueue(cl_context a, cl_device_id b,
                                                               cl_command_queue_properties c,
                                                               cl_int *errcode_ret)
{
    if (fault_counter_hits("clCreateCommandQueue")) {
        if (errcode_ret != NULL)
            *errcode_ret = armed_error;
        return NULL;
    }
    return real.clCreateCommandQueue(a, b, c, errcode_ret);
}

static cl_int CL_API_CALL fault_clReleaseCommandQueue(cl_command_queue a)
{
    return real.clReleaseCommandQueue(a);
}

static void *CL_API_CALL fault_clSVMAlloc(cl_context a, cl_svm_mem_flags b, size_t c, cl_uint d)
{
    if (fault_counter_hits("clSVMAlloc"))
        return NULL;
    return real.clSVMAlloc(a, b, c, d);
}

static void CL_API_CALL fault_clSVMFree(cl_context a, void *b)
{
    real.clSVMFree(a, b);
}

static cl_int CL_API_CALL fault_clEnqueueSVMMap(cl_command_queue a, cl_bool b, cl_map_flags c,
                                                void *d, size_t e, cl_uint f, const cl_event *g,
                                                cl_event *h)
{
    if (fault_counter_hits("clEnqueueSVMMap"))
        return armed_error;
    return real.clEnqueueSVMMap(a, b, c, d, e, f, g, h);
}

static cl_int CL_API_CALL fault_clEnqueueSVMUnmap(cl_command_queue a, void *b, cl_uint c,
                                                  const cl_event *d, cl_event *e)
{
    if (fault_counter_hits("clEnqueueSVMUnmap"))
        return armed_error;
    return real.clEnqueueSVMUnmap(a, b, c, d, e);
}

static cl_mem CL_API_CALL fault_clCreateBuffer(cl_context a, cl_mem_flags b, size_t c, void *d,
                                               cl_int *errcode_ret)
{
    if (fault_counter_hits("clCreateBuffer")) {
        if (errcode_ret != NULL)
            *errcode_ret = armed_error;
        return NULL;
    }
    return real.clCreateBuffer(a, b, c, d, errcode_ret);
}

static cl_mem CL_API_CALL fault_clCreateSubBuffer(cl_mem a, cl_mem_flags b, cl_buffer_create_type c,
                                                  const void *d, cl_int *errcode_ret)
{
    if (fault_counter_hits("clCreateSubBuffer")) {
        if (errcode_ret != NULL)
            *errcode_ret = armed_error;
        return NULL;
    }
    return real.clCreateSubBuffer(a, b, c, d, errcode_ret);
}

static cl_int CL_API_CALL fault_clReleaseMemObject(cl_mem a)
{
    return real.clReleaseMemObject(a);
}

static void *CL_API_CALL fault_clEnqueueMapBuffer(cl_command_queue a, cl_mem b, cl_bool c,
                                                  cl_map_flags d, size_t e, size_t f, cl_uint g,
                                                  const cl_event *h, cl_event *i,
                                                  cl_int *errcode_ret)
{
    if (fault_counter_hits("clEnqueueMapBuffer")) {
        if (errcode_ret != NULL)
            *errcode_ret = armed_error;
        return NULL;
    }
    return real.clEnqueueMapBuffer(a, b, c, d, e, f, g, h, i, errcode_ret);
}

static cl_int CL_API_CALL fault_clEnqueueUnmapMemObject(cl_command_queue a, cl_mem b, void *c,
                                                        cl_uint d, const cl_event *e, cl_event *f)
{
    if (fault_counter_hits("clEnqueueUnmapMemObject"))
        return armed_error;
    return real.clEnqueueUnmapMemObject(a, b, c, d, e, f);
}

static cl_program CL_API_CALL fault_clCreateProgramWithSource(cl_context a, cl_uint b,
                                                              const char **c, const size_t *d,
                                                              cl_int *errcode_ret)
{
    if (fault_counter_hits("clCreateProgramWithSource")) {
        if (errcode_ret != NULL)
            *errcode_ret = armed_error;
        return NULL;
    }
    return real.clCreateProgramWithSource(a, b, c, d, errcode_ret);
}

static cl_program CL_API_CALL fault_clCreateProgramWithIL(cl_context a, const void *b, size_t c,
                                                          cl_int *errcode_ret)
{
    if (fault_counter_hits("clCreateProgramWithIL")) {
        if (errcode_ret != NULL)
            *errcode_ret = armed_error;
        return NULL;
    }
    return real.clCreateProgramWithIL(a, b, c, errcode_ret);
}

static cl_int CL_API_CALL fault_clBuildProgram(cl_program a, cl_uint b, const cl_device_id *c,
                                               const char *d,
                                               void(CL_CALLBACK *e)(cl_program, void *), void *f)
{
    if (fault_counter_hits("clBuildProgram"))
        return armed_error;
    return real.clBuildProgram(a, b, c, d, e, f);
}

static cl_int CL_API_CALL fault_clGetProgramBuildInfo(cl_program a, cl_device_id b,
                                                      cl_program_build_info c, size_t d, void *e,
                                                      size_t *f)
{
    if (fault_counter_hits("clGetProgramBuildInfo"))
        return armed_error;
    return real.clGetProgramBuildInfo(a, b, c, d, e, f);
}

static cl_int CL_API_CALL fault_clReleaseProgram(cl_program a)
{
    return real.clReleaseProgram(a);
}

static cl_kernel CL_API_CALL fault_clCreateKernel(cl_program a, const char *b, cl_int *errcode_ret)
{
    if (fault_counter_hits("clCreateKernel")) {
        if (errcode_ret != NULL)
            *errcode_ret = armed_error;
        return NULL;
    }
    return real.clCreateKernel(a, b, errcode_ret);
}

static cl_int CL_API_CALL fault_clReleaseKernel(cl_kernel a)
{
    return real.clReleaseKernel(a);
}

static cl_int CL_API_CALL fault_clGetKernelInfo(cl_kernel a, cl_kernel_info b, size_t c, void *d,
                                                size_t *e)
{
    if (fault_counter_hits("clGetKernelInfo"))
        return armed_error;
    return real.clGetKernelInfo(a, b, c, d, e);
}

static cl_int CL_API_CALL fault_clGetKernelArgInfo(cl_kernel a, cl_uint b, cl_kernel_arg_info c,
                                                   size_t d, void *e, size_t *f)
{
    if (fault_counter_hits("clGetKernelArgInfo"))
        return armed_error;
    return real.clGetKernelArgInfo(a, b, c, d, e, f);
}

static cl_int CL_API_CALL fault_clGetKernelWorkGroupInfo(cl_kernel a, cl_device_id b,
                                                         cl_kernel_work_group_info c, size_t d,
                                                         void *e, size_t *f)
{
    if (fault_counter_hits("clGetKernelWorkGroupInfo"))
        return armed_error;
    return real.clGetKernelWorkGroupInfo(a, b, c, d, e, f);
}

static cl_int CL_API_CALL fault_clSetKernelArg(cl_kernel a, cl_uint b, size_t c, const void *d)
{
    if (fault_counter_hits("clSetKernelArg"))
        return armed_error;
    return real.clSetKernelArg(a, b, c, d);
}

static cl_int CL_API_CALL fault_clSetKernelArgSVMPointer(cl_kernel a, cl_uint b, const void *c)
{
    if (fault_counter_hits("clSetKernelArgSVMPointer"))
        return armed_error;
    return real.clSetKernelArgSVMPointer(a, b, c);
}

static cl_int CL_API_CALL fault_clSetKernelExecInfo(cl_kernel a, cl_kernel_exec_info b, size_t c,
                                                    const void *d)
{
    if (fault_counter_hits("clSetKernelExecInfo"))
        return armed_error;
    return real.clSetKernelExecInfo(a, b, c, d);
}

static cl_int CL_API_CALL fault_clEnqueueNDRangeKernel(cl_command_queue a, cl_kernel b, cl_uint c,
                                                       const size_t *d, const size_t *e,
                                                       const size_t *f, cl_uint g,
                                                       const cl_event *h, cl_event *i)
{
    if (fault_counter_hits("clEnqueueNDRangeKernel"))
        return armed_error;
    return real.clEnqueueNDRangeKernel(a, b, c, d, e, f, g, h, i);
}

static cl_int CL_API_CALL fault_clFlush(cl_command_queue a)
{
    if (fault_counter_hits("clFlush"))
        return armed_error;
    return real.clFlush(a);
}

static cl_int CL_API_CALL fault_clFinish(cl_command_queue a)
{
    if (fault_counter_hits("clFinish"))
        return armed_error;
    return real.clFinish(a);
}

void cl_faults_install(void)
{
    if (!installed) {
        real = zcs__cl;
        installed = 1;
    }
    zcs__cl.clGetPlatformIDs = fault_clGetPlatformIDs;
    zcs__cl.clGetPlatformInfo = fault_clGetPlatformInfo;
    zcs__cl.clGetDeviceIDs = fault_clGetDeviceIDs;
    zcs__cl.clGetDeviceInfo = fault_clGetDeviceInfo;
    zcs__cl.clCreateContext = fault_clCreateContext;
    zcs__cl.clReleaseContext = fault_clReleaseContext;
    zcs__cl.clCreateCommandQueue = fault_clCreateCommandQueue;
    zcs__cl.clReleaseCommandQueue = fault_clReleaseCommandQueue;
    zcs__cl.clSVMAlloc = fault_clSVMAlloc;
    zcs__cl.clSVMFree = fault_clSVMFree;
    zcs__cl.clEnqueueSVMMap = fault_clEnqueueSVMMap;
    zcs__cl.clEnqueueSVMUnmap = fault_clEnqueueSVMUnmap;
    zcs__cl.clCreateBuffer = fault_clCreateBuffer;
    zcs__cl.clCreateSubBuffer = fault_clCreateSubBuffer;
    zcs__cl.clReleaseMemObject = fault_clReleaseMemObject;
    zcs__cl.clEnqueueMapBuffer = fault_clEnqueueMapBuffer;
    zcs__cl.clEnqueueUnmapMemObject = fault_clEnqueueUnmapMemObject;
    zcs__cl.clCreateProgramWithSource = fault_clCreateProgramWithSource;
    zcs__cl.clCreateProgramWithIL = fault_clCreateProgramWithIL;
    zcs__cl.clBuildProgram = fault_clBuildProgram;
    zcs__cl.clGetProgramBuildInfo = fault_clGetProgramBuildInfo;
    zcs__cl.clReleaseProgram = fault_clReleaseProgram;
    zcs__cl.clCreateKernel = fault_clCreateKernel;
    zcs__cl.clReleaseKernel = fault_clReleaseKernel;
    zcs__cl.clGetKernelInfo = fault_clGetKernelInfo;
    zcs__cl.clGetKernelArgInfo = fault_clGetKernelArgInfo;
    zcs__cl.clGetKernelWorkGroupInfo = fault_clGetKernelWorkGroupInfo;
    zcs__cl.clSetKernelArg = fault_clSetKernelArg;
    zcs__cl.clSetKernelArgSVMPointer = fault_clSetKernelArgSVMPointer;
    zcs__cl.clSetKernelExecInfo = fault_clSetKernelExecInfo;
    zcs__cl.clEnqueueNDRangeKernel = fault_clEnqueueNDRangeKernel;
    zcs__cl.clFlush = fault_clFlush;
    zcs__cl.clFinish = fault_clFinish;
    cl_faults_arm(0, CL_SUCCESS);
}

void cl_faults_arm(unsigned long k, cl_int error)
{
    fault_counter_arm(k);
    armed_error = error;
}

void cl_faults_remove(void)
{
    if (installed)
        zcs__cl = real;
    installed = 0;
}
