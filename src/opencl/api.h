/*
 * Every OpenCL function the backend calls, through one table of function pointers.
 * The table starts out pointing at the ICD loader's entry points; the reliability
 * tests replace entries to make any call fail (zcs__cl_api_table()).
 */
#ifndef ZCS_OPENCL_API_H
#define ZCS_OPENCL_API_H

#include <CL/cl.h>

/*
 * X(return type, name, how it fails, (parameters), (arguments)) for each OpenCL entry
 * point the backend uses. The one list makes the call table below and, in the tests,
 * the fault-injecting wrappers (tests/support/cl_faults.c), so a new call is injectable
 * as soon as it is listed. How a call fails:
 *   STATUS   returns a cl_int error code;
 *   ERRCODE  returns NULL and writes the error to *errcode_ret (the last parameter);
 *   NULLPTR  returns NULL and says no more (clSVMAlloc);
 *   NOFAIL   releases and frees: zcs cannot act on their failure, so none is injected.
 * The parameters must match the header's prototype: the table is initialised with the
 * loader's functions, so a mismatch does not compile.
 */
#define ZCS__CL_FUNCTIONS(X)                                                                       \
    X(cl_int, clGetPlatformIDs, STATUS,                                                            \
      (cl_uint num_entries, cl_platform_id * platforms, cl_uint * num_platforms),                  \
      (num_entries, platforms, num_platforms))                                                     \
    X(cl_int, clGetPlatformInfo, STATUS,                                                           \
      (cl_platform_id platform, cl_platform_info param_name, size_t param_value_size,              \
       void *param_value, size_t *param_value_size_ret),                                           \
      (platform, param_name, param_value_size, param_value, param_value_size_ret))                 \
    X(cl_int, clGetDeviceIDs, STATUS,                                                              \
      (cl_platform_id platform, cl_device_type device_type, cl_uint num_entries,                   \
       cl_device_id * devices, cl_uint * num_devices),                                             \
      (platform, device_type, num_entries, devices, num_devices))                                  \
    X(cl_int, clGetDeviceInfo, STATUS,                                                             \
      (cl_device_id device, cl_device_info param_name, size_t param_value_size, void *param_value, \
       size_t *param_value_size_ret),                                                              \
      (device, param_name, param_value_size, param_value, param_value_size_ret))                   \
    X(cl_context, clCreateContext, ERRCODE,                                                        \
      (const cl_context_properties *properties, cl_uint num_devices, const cl_device_id *devices,  \
       void(CL_CALLBACK * pfn_notify)(const char *errinfo, const void *private_info, size_t cb,    \
                                      void *user_data),                                            \
       void *user_data, cl_int *errcode_ret),                                                      \
      (properties, num_devices, devices, pfn_notify, user_data, errcode_ret))                      \
    X(cl_int, clReleaseContext, NOFAIL, (cl_context context), (context))                           \
    X(cl_int, clGetContextInfo, STATUS,                                                            \
      (cl_context context, cl_context_info param_name, size_t param_value_size, void *param_value, \
       size_t *param_value_size_ret),                                                              \
      (context, param_name, param_value_size, param_value, param_value_size_ret))                  \
    X(cl_int, clRetainContext, STATUS, (cl_context context), (context))                            \
    X(cl_int, clRetainDevice, STATUS, (cl_device_id device), (device))                             \
    X(cl_int, clReleaseDevice, NOFAIL, (cl_device_id device), (device))                            \
    X(cl_int, clGetCommandQueueInfo, STATUS,                                                       \
      (cl_command_queue command_queue, cl_command_queue_info param_name, size_t param_value_size,  \
       void *param_value, size_t *param_value_size_ret),                                           \
      (command_queue, param_name, param_value_size, param_value, param_value_size_ret))            \
    X(cl_int, clRetainCommandQueue, STATUS, (cl_command_queue command_queue), (command_queue))     \
    X(cl_command_queue, clCreateCommandQueue, ERRCODE,                                             \
      (cl_context context, cl_device_id device, cl_command_queue_properties properties,            \
       cl_int * errcode_ret),                                                                      \
      (context, device, properties, errcode_ret))                                                  \
    X(cl_int, clReleaseCommandQueue, NOFAIL, (cl_command_queue command_queue), (command_queue))    \
    X(void *, clSVMAlloc, NULLPTR,                                                                 \
      (cl_context context, cl_svm_mem_flags flags, size_t size, cl_uint alignment),                \
      (context, flags, size, alignment))                                                           \
    X(void, clSVMFree, NOFAIL, (cl_context context, void *svm_pointer), (context, svm_pointer))    \
    X(cl_int, clEnqueueSVMMap, STATUS,                                                             \
      (cl_command_queue command_queue, cl_bool blocking_map, cl_map_flags flags, void *svm_ptr,    \
       size_t size, cl_uint num_events_in_wait_list, const cl_event *event_wait_list,              \
       cl_event *event),                                                                           \
      (command_queue, blocking_map, flags, svm_ptr, size, num_events_in_wait_list,                 \
       event_wait_list, event))                                                                    \
    X(cl_int, clEnqueueSVMUnmap, STATUS,                                                           \
      (cl_command_queue command_queue, void *svm_ptr, cl_uint num_events_in_wait_list,             \
       const cl_event *event_wait_list, cl_event *event),                                          \
      (command_queue, svm_ptr, num_events_in_wait_list, event_wait_list, event))                   \
    X(cl_mem, clCreateBuffer, ERRCODE,                                                             \
      (cl_context context, cl_mem_flags flags, size_t size, void *host_ptr, cl_int *errcode_ret),  \
      (context, flags, size, host_ptr, errcode_ret))                                               \
    X(cl_mem, clCreateBufferWithProperties, ERRCODE,                                               \
      (cl_context context, const cl_mem_properties *properties, cl_mem_flags flags, size_t size,   \
       void *host_ptr, cl_int *errcode_ret),                                                       \
      (context, properties, flags, size, host_ptr, errcode_ret))                                   \
    X(void *, clGetExtensionFunctionAddressForPlatform, NULLPTR,                                   \
      (cl_platform_id platform, const char *func_name), (platform, func_name))                     \
    X(cl_mem, clCreateSubBuffer, ERRCODE,                                                          \
      (cl_mem buffer, cl_mem_flags flags, cl_buffer_create_type buffer_create_type,                \
       const void *buffer_create_info, cl_int *errcode_ret),                                       \
      (buffer, flags, buffer_create_type, buffer_create_info, errcode_ret))                        \
    X(cl_int, clReleaseMemObject, NOFAIL, (cl_mem memobj), (memobj))                               \
    X(void *, clEnqueueMapBuffer, ERRCODE,                                                         \
      (cl_command_queue command_queue, cl_mem buffer, cl_bool blocking_map,                        \
       cl_map_flags map_flags, size_t offset, size_t size, cl_uint num_events_in_wait_list,        \
       const cl_event *event_wait_list, cl_event *event, cl_int *errcode_ret),                     \
      (command_queue, buffer, blocking_map, map_flags, offset, size, num_events_in_wait_list,      \
       event_wait_list, event, errcode_ret))                                                       \
    X(cl_int, clEnqueueUnmapMemObject, STATUS,                                                     \
      (cl_command_queue command_queue, cl_mem memobj, void *mapped_ptr,                            \
       cl_uint num_events_in_wait_list, const cl_event *event_wait_list, cl_event *event),         \
      (command_queue, memobj, mapped_ptr, num_events_in_wait_list, event_wait_list, event))        \
    X(cl_int, clEnqueueReadBuffer, STATUS,                                                         \
      (cl_command_queue command_queue, cl_mem buffer, cl_bool blocking_read, size_t offset,        \
       size_t size, void *ptr, cl_uint num_events_in_wait_list, const cl_event *event_wait_list,   \
       cl_event *event),                                                                           \
      (command_queue, buffer, blocking_read, offset, size, ptr, num_events_in_wait_list,           \
       event_wait_list, event))                                                                    \
    X(cl_int, clEnqueueWriteBuffer, STATUS,                                                        \
      (cl_command_queue command_queue, cl_mem buffer, cl_bool blocking_write, size_t offset,       \
       size_t size, const void *ptr, cl_uint num_events_in_wait_list,                              \
       const cl_event *event_wait_list, cl_event *event),                                          \
      (command_queue, buffer, blocking_write, offset, size, ptr, num_events_in_wait_list,          \
       event_wait_list, event))                                                                    \
    X(cl_program, clCreateProgramWithSource, ERRCODE,                                              \
      (cl_context context, cl_uint count, const char **strings, const size_t *lengths,             \
       cl_int *errcode_ret),                                                                       \
      (context, count, strings, lengths, errcode_ret))                                             \
    X(cl_program, clCreateProgramWithIL, ERRCODE,                                                  \
      (cl_context context, const void *il, size_t length, cl_int *errcode_ret),                    \
      (context, il, length, errcode_ret))                                                          \
    X(cl_int, clBuildProgram, STATUS,                                                              \
      (cl_program program, cl_uint num_devices, const cl_device_id *device_list,                   \
       const char *options, void(CL_CALLBACK * pfn_notify)(cl_program program, void *user_data),   \
       void *user_data),                                                                           \
      (program, num_devices, device_list, options, pfn_notify, user_data))                         \
    X(cl_int, clGetProgramBuildInfo, STATUS,                                                       \
      (cl_program program, cl_device_id device, cl_program_build_info param_name,                  \
       size_t param_value_size, void *param_value, size_t *param_value_size_ret),                  \
      (program, device, param_name, param_value_size, param_value, param_value_size_ret))          \
    X(cl_int, clReleaseProgram, NOFAIL, (cl_program program), (program))                           \
    X(cl_kernel, clCreateKernel, ERRCODE,                                                          \
      (cl_program program, const char *kernel_name, cl_int *errcode_ret),                          \
      (program, kernel_name, errcode_ret))                                                         \
    X(cl_int, clReleaseKernel, NOFAIL, (cl_kernel kernel), (kernel))                               \
    X(cl_int, clGetKernelInfo, STATUS,                                                             \
      (cl_kernel kernel, cl_kernel_info param_name, size_t param_value_size, void *param_value,    \
       size_t *param_value_size_ret),                                                              \
      (kernel, param_name, param_value_size, param_value, param_value_size_ret))                   \
    X(cl_int, clGetKernelArgInfo, STATUS,                                                          \
      (cl_kernel kernel, cl_uint arg_indx, cl_kernel_arg_info param_name, size_t param_value_size, \
       void *param_value, size_t *param_value_size_ret),                                           \
      (kernel, arg_indx, param_name, param_value_size, param_value, param_value_size_ret))         \
    X(cl_int, clGetKernelWorkGroupInfo, STATUS,                                                    \
      (cl_kernel kernel, cl_device_id device, cl_kernel_work_group_info param_name,                \
       size_t param_value_size, void *param_value, size_t *param_value_size_ret),                  \
      (kernel, device, param_name, param_value_size, param_value, param_value_size_ret))           \
    X(cl_int, clSetKernelArg, STATUS,                                                              \
      (cl_kernel kernel, cl_uint arg_index, size_t arg_size, const void *arg_value),               \
      (kernel, arg_index, arg_size, arg_value))                                                    \
    X(cl_int, clSetKernelArgSVMPointer, STATUS,                                                    \
      (cl_kernel kernel, cl_uint arg_index, const void *arg_value),                                \
      (kernel, arg_index, arg_value))                                                              \
    X(cl_int, clSetKernelExecInfo, STATUS,                                                         \
      (cl_kernel kernel, cl_kernel_exec_info param_name, size_t param_value_size,                  \
       const void *param_value),                                                                   \
      (kernel, param_name, param_value_size, param_value))                                         \
    X(cl_int, clEnqueueNDRangeKernel, STATUS,                                                      \
      (cl_command_queue command_queue, cl_kernel kernel, cl_uint work_dim,                         \
       const size_t *global_work_offset, const size_t *global_work_size,                           \
       const size_t *local_work_size, cl_uint num_events_in_wait_list,                             \
       const cl_event *event_wait_list, cl_event *event),                                          \
      (command_queue, kernel, work_dim, global_work_offset, global_work_size, local_work_size,     \
       num_events_in_wait_list, event_wait_list, event))                                           \
    X(cl_int, clFlush, STATUS, (cl_command_queue command_queue), (command_queue))                  \
    X(cl_int, clFinish, STATUS, (cl_command_queue command_queue), (command_queue))                 \
    X(cl_int, clWaitForEvents, STATUS, (cl_uint num_events, const cl_event *event_list),           \
      (num_events, event_list))                                                                    \
    X(cl_int, clRetainEvent, STATUS, (cl_event event), (event))                                    \
    X(cl_int, clReleaseEvent, NOFAIL, (cl_event event), (event))                                   \
    X(cl_int, clGetEventInfo, STATUS,                                                              \
      (cl_event event, cl_event_info param_name, size_t param_value_size, void *param_value,       \
       size_t *param_value_size_ret),                                                              \
      (event, param_name, param_value_size, param_value, param_value_size_ret))                    \
    X(cl_int, clEnqueueBarrierWithWaitList, STATUS,                                                \
      (cl_command_queue command_queue, cl_uint num_events_in_wait_list,                            \
       const cl_event *event_wait_list, cl_event *event),                                          \
      (command_queue, num_events_in_wait_list, event_wait_list, event))                            \
    X(cl_int, clEnqueueMarkerWithWaitList, STATUS,                                                 \
      (cl_command_queue command_queue, cl_uint num_events_in_wait_list,                            \
       const cl_event *event_wait_list, cl_event *event),                                          \
      (command_queue, num_events_in_wait_list, event_wait_list, event))

typedef struct zcs__cl_api {
#define ZCS__CL_API_MEMBER_(type, name, fails, parameters, arguments)                              \
    type(CL_API_CALL *name) parameters;
    ZCS__CL_FUNCTIONS(ZCS__CL_API_MEMBER_)
#undef ZCS__CL_API_MEMBER_
} zcs__cl_api;

/* The table the backend calls through (process-wide). */
extern zcs__cl_api zcs__cl;

/* The table, for tests that replace entries. */
zcs__cl_api *zcs__cl_api_table(void);

/* Point every entry back at the ICD loader. */
void zcs__cl_api_reset(void);

#endif /* ZCS_OPENCL_API_H */
