/*
 * Every OpenCL function the backend calls, through one table of function pointers.
 * The table starts out pointing at the ICD loader's entry points; the reliability
 * tests replace entries to make any call fail (zcs__cl_api_table()).
 */
#ifndef ZCS_OPENCL_CL_API_H
#define ZCS_OPENCL_CL_API_H

#include <CL/cl.h>

/* X(name) for each OpenCL entry point the backend uses. */
#define ZCS__CL_FUNCTIONS(X)                                                                       \
    X(clGetPlatformIDs)                                                                            \
    X(clGetPlatformInfo)                                                                           \
    X(clGetDeviceIDs)                                                                              \
    X(clGetDeviceInfo)                                                                             \
    X(clCreateContext)                                                                             \
    X(clReleaseContext)                                                                            \
    X(clCreateCommandQueue)                                                                        \
    X(clReleaseCommandQueue)                                                                       \
    X(clSVMAlloc)                                                                                  \
    X(clSVMFree)                                                                                   \
    X(clEnqueueSVMMap)                                                                             \
    X(clEnqueueSVMUnmap)                                                                           \
    X(clCreateBuffer)                                                                              \
    X(clCreateSubBuffer)                                                                           \
    X(clReleaseMemObject)                                                                          \
    X(clEnqueueMapBuffer)                                                                          \
    X(clEnqueueUnmapMemObject)                                                                     \
    X(clCreateProgramWithSource)                                                                   \
    X(clCreateProgramWithIL)                                                                       \
    X(clBuildProgram)                                                                              \
    X(clGetProgramBuildInfo)                                                                       \
    X(clReleaseProgram)                                                                            \
    X(clCreateKernel)                                                                              \
    X(clReleaseKernel)                                                                             \
    X(clGetKernelInfo)                                                                             \
    X(clGetKernelArgInfo)                                                                          \
    X(clGetKernelWorkGroupInfo)                                                                    \
    X(clSetKernelArg)                                                                              \
    X(clSetKernelArgSVMPointer)                                                                    \
    X(clSetKernelExecInfo)                                                                         \
    X(clEnqueueNDRangeKernel)                                                                      \
    X(clFlush)                                                                                     \
    X(clFinish)

typedef struct zcs__cl_api {
#define ZCS__CL_API_MEMBER_(name) __typeof__(&name) name;
    ZCS__CL_FUNCTIONS(ZCS__CL_API_MEMBER_)
#undef ZCS__CL_API_MEMBER_
} zcs__cl_api;

/* The table the backend calls through (process-wide). */
extern zcs__cl_api zcs__cl;

/* The table, for tests that replace entries. */
zcs__cl_api *zcs__cl_api_table(void);

/* Point every entry back at the ICD loader. */
void zcs__cl_api_reset(void);

/* "CL_INVALID_VALUE" for -30; "CL_UNKNOWN_ERROR" for codes OpenCL does not define. */
const char *zcs__cl_error_name(cl_int error);

#endif /* ZCS_OPENCL_CL_API_H */
