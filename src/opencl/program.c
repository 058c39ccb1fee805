/* OpenCL backend: programs, kernels, their arguments and the arrays they reach through
   pointers in memory (zcs_kernel_set_indirect). */
#include <stdio.h>
#include <string.h>

#include "opencl/internal.h"

/* Always asked for, so that kernel parameters can be checked by kind. */
#define ZCS__CL_BUILD_OPTIONS "-cl-kernel-arg-info"

/* Fail with ZCS_ERROR_BUILD and the build log in the message. */
static zcs_status zcs__cl_build_failure(zcs_context *context, cl_program program, cl_int error)
{
    struct zcs__context_impl *ctx = context->impl;
    size_t log_size = 0;
    char *log = NULL;
    if (zcs__cl.clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG, 0, NULL,
                                      &log_size) == CL_SUCCESS &&
        log_size > 0)
        log = zcs__malloc(log_size + 1);
    if (log != NULL && zcs__cl.clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG,
                                                     log_size, log, NULL) != CL_SUCCESS)
        log_size = 0;
    if (log != NULL)
        log[log_size] = '\0';
    zcs_status status =
        zcs__fail(context, ZCS_ERROR_BUILD, error, "clBuildProgram failed: %s (%d); build log:\n%s",
                  zcs__cl_error_name(error), (int)error,
                  log != NULL && log[0] != '\0' ? log : "(the compiler gave no log)");
    zcs__free(log);
    return status;
}

/* 1 when every -I in `options` has a directory (a lone trailing -I crashes some compilers). */
static int zcs__cl_include_options_valid(const char *options)
{
    const char *p = options;
    while (p != NULL && *p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        const char *start = p;
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
        if (p - start == 2 && strncmp(start, "-I", 2) == 0) {
            while (*p == ' ' || *p == '\t' || *p == '\n')
                p++;
            if (*p == '\0' || *p == '-')
                return 0;
        }
    }
    return 1;
}

/*
 * Build `cl_program` with the user's options, then keep it in program->impl. Include
 * directories come first: the one holding zcs/layout.h, then `file_dir` (a file
 * program's own directory, may be NULL), then the user's -I.
 */
static zcs_status zcs__cl_build(zcs_program *program, cl_program cl_program, const char *options,
                                const char *file_dir)
{
    zcs_context *context = program->context;
    struct zcs__context_impl *ctx = context->impl;
    if (!zcs__cl_include_options_valid(options)) {
        zcs__cl.clReleaseProgram(cl_program);
        return zcs__fail(context, ZCS_ERROR_BUILD, CL_INVALID_BUILD_OPTIONS,
                         "build options \"%s\": -I needs a directory (-I dir or -Idir)", options);
    }
    const char *include_dir = zcs__cl_include_dir();
    size_t options_length = options != NULL ? strlen(options) : 0;
    size_t dir_length = file_dir != NULL ? strlen(file_dir) : 0;
    size_t size =
        options_length + dir_length + strlen(include_dir) + sizeof ZCS__CL_BUILD_OPTIONS + 16;
    char *all_options = zcs__malloc(size);
    if (all_options == NULL) {
        zcs__cl.clReleaseProgram(cl_program);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0, "zcs_program: out of host memory");
    }
    snprintf(all_options, size, "%s%s%s%s%s %s", ZCS__CL_BUILD_OPTIONS,
             include_dir[0] != '\0' ? " -I " : "", include_dir, dir_length > 0 ? " -I " : "",
             dir_length > 0 ? file_dir : "", options != NULL ? options : "");
    cl_int error = zcs__cl.clBuildProgram(cl_program, 1, &ctx->device, all_options, NULL, NULL);
    zcs__free(all_options);
    if (error != CL_SUCCESS) {
        zcs_status status =
            error == CL_BUILD_PROGRAM_FAILURE || error == CL_INVALID_BUILD_OPTIONS
                ? zcs__cl_build_failure(context, cl_program, error)
                : zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clBuildProgram", error, NULL);
        zcs__cl.clReleaseProgram(cl_program);
        return status;
    }
    struct zcs__program_impl *impl = zcs__calloc(1, sizeof *impl);
    if (impl == NULL) {
        zcs__cl.clReleaseProgram(cl_program);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0, "zcs_program: out of host memory");
    }
    impl->program = cl_program;
    program->impl = impl;
    return ZCS_SUCCESS;
}

/* OpenCL C text (builtins and zcs_program_create_source). */
static zcs_status zcs__cl_program_source(zcs_program *program, const char *source, size_t length,
                                         const char *options)
{
    zcs_context *context = program->context;
    cl_int error = CL_SUCCESS;
    cl_program cl_program =
        zcs__cl.clCreateProgramWithSource(context->impl->cl_context, 1, &source, &length, &error);
    if (cl_program == NULL || error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateProgramWithSource", error, NULL);
    return zcs__cl_build(program, cl_program, options, NULL);
}

/* A SPIR-V module (clCreateProgramWithIL); build options are not passed. */
static zcs_status zcs__cl_program_spirv(zcs_program *program, const void *code, size_t size)
{
    zcs_context *context = program->context;
    if (!context->impl->supports_il)
        return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                         "SPIR-V programs need OpenCL 2.1 or later (clCreateProgramWithIL); %s "
                         "is older",
                         context->device_name);
    cl_int error = CL_SUCCESS;
    cl_program cl_program =
        zcs__cl.clCreateProgramWithIL(context->impl->cl_context, code, size, &error);
    if (cl_program == NULL || error != CL_SUCCESS)
        return zcs__cl_fail(context,
                            error == CL_INVALID_VALUE || error == CL_INVALID_OPERATION
                                ? ZCS_ERROR_UNSUPPORTED
                                : ZCS_ERROR_BACKEND,
                            "clCreateProgramWithIL", error, NULL);
    return zcs__cl_build(program, cl_program, NULL, NULL);
}

/* OpenCL C read from `path`. Build logs name the file (a #line in front of its text), and
   "..." includes are found next to it (-I its directory, when the path has no blank). */
static zcs_status zcs__cl_program_file(zcs_program *program, const char *path, const void *data,
                                       size_t size, const char *options)
{
    zcs_context *context = program->context;
    size_t path_length = strlen(path);
    char *dir = zcs__malloc(path_length + 2);
    char *text = zcs__malloc(path_length + size + 16);
    if (dir == NULL || text == NULL) {
        zcs__free(dir);
        zcs__free(text);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0, "zcs_program: out of host memory");
    }
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, path_length + 2, ".");
    else
        snprintf(dir, path_length + 2, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    if (strpbrk(dir, " \t\n\"'\\") != NULL)
        dir[0] = '\0';
    int quoted = strpbrk(path, "\"\\\n") == NULL;
    int prefix = snprintf(text, path_length + 16, "#line 1 \"%s\"\n", quoted ? path : "<file>");
    memcpy(text + prefix, data, size);
    size_t length = (size_t)prefix + size;
    text[length] = '\0';
    cl_int error = CL_SUCCESS;
    const char *source = text;
    cl_program cl_program =
        zcs__cl.clCreateProgramWithSource(context->impl->cl_context, 1, &source, &length, &error);
    zcs_status status;
    if (cl_program == NULL || error != CL_SUCCESS)
        status = zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateProgramWithSource", error, NULL);
    else
        status = zcs__cl_build(program, cl_program, options, dir[0] != '\0' ? dir : NULL);
    zcs__free(dir);
    zcs__free(text);
    return status;
}

zcs_status zcs__backend_program_create(zcs_program *program, const zcs__program_code *code)
{
    if (code->format == ZCS__PROGRAM_SPIRV)
        return zcs__cl_program_spirv(program, code->data, code->size);
    if (code->path != NULL)
        return zcs__cl_program_file(program, code->path, code->data, code->size, code->options);
    return zcs__cl_program_source(program, code->data, code->size, code->options);
}

void zcs__backend_program_destroy(zcs_program *program)
{
    if (program->impl == NULL)
        return;
    zcs__cl.clReleaseProgram(program->impl->program);
    zcs__free(program->impl);
    program->impl = NULL;
}

/*
 * Size in bytes of an OpenCL C scalar or vector type named like clGetKernelArgInfo's
 * CL_KERNEL_ARG_TYPE_NAME ("uint", "float4", "ulong16"); 0 for other types (structs,
 * typedefs the runtime reports by their own name, size_t and its kin whose size is the
 * device's), which are not checked.
 */
static size_t zcs__cl_type_size(const char *name)
{
    static const struct {
        const char *name;
        size_t size;
    } scalars[] = {
        {"char", 1},           {"uchar", 1},        {"short", 2},         {"ushort", 2},
        {"half", 2},           {"int", 4},          {"uint", 4},          {"float", 4},
        {"long", 8},           {"ulong", 8},        {"double", 8},        {"unsigned char", 1},
        {"unsigned short", 2}, {"unsigned int", 4}, {"unsigned long", 8},
    };
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
        size_t length = strlen(scalars[i].name);
        if (strncmp(name, scalars[i].name, length) != 0)
            continue;
        const char *suffix = name + length;
        if (*suffix == '\0')
            return scalars[i].size;
        /* Vectors: 2, 3 (stored as 4), 4, 8, 16 components. */
        static const struct {
            const char *suffix;
            size_t components;
        } vectors[] = {{"2", 2}, {"3", 4}, {"4", 4}, {"8", 8}, {"16", 16}};
        for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++)
            if (strcmp(suffix, vectors[v].suffix) == 0)
                return scalars[i].size * vectors[v].components;
    }
    return 0;
}

/* Learn each parameter's kind from its address qualifier and each value parameter's size
   from its type name (needs -cl-kernel-arg-info), then check the arguments' bytes against
   CL_DEVICE_MAX_PARAMETER_SIZE. */
static zcs_status zcs__cl_learn_params(zcs_kernel *kernel, cl_kernel cl_kernel)
{
    zcs_context *context = kernel->context;
    cl_uint num_args = 0;
    if (zcs__cl.clGetKernelInfo(cl_kernel, CL_KERNEL_NUM_ARGS, sizeof num_args, &num_args, NULL) !=
        CL_SUCCESS) {
        /* Unknown parameters: arguments up to what the device's parameter bytes can hold. */
        uint64_t bytes = context->info.limits.max_parameter_bytes;
        kernel->max_params = bytes >= 4 && bytes / 4 < UINT32_MAX ? (uint32_t)(bytes / 4) : 0;
        return ZCS_SUCCESS;
    }
    if (num_args == 0)
        return ZCS_SUCCESS;
    zcs_status status = zcs__kernel_reserve_params(kernel, num_args);
    if (status != ZCS_SUCCESS)
        return status;
    kernel->num_params = num_args;
    cl_uint address_bits = 0;
    if (zcs__cl.clGetDeviceInfo(context->impl->device, CL_DEVICE_ADDRESS_BITS, sizeof address_bits,
                                &address_bits, NULL) != CL_SUCCESS ||
        address_bits == 0)
        address_bits = (cl_uint)(sizeof(void *) * 8);
    uint64_t total = 0;
    for (cl_uint i = 0; i < num_args; i++) {
        cl_kernel_arg_address_qualifier qualifier = 0;
        if (zcs__cl.clGetKernelArgInfo(cl_kernel, i, CL_KERNEL_ARG_ADDRESS_QUALIFIER,
                                       sizeof qualifier, &qualifier, NULL) != CL_SUCCESS)
            kernel->param_kinds[i] = ZCS__PARAM_UNKNOWN;
        else if (qualifier == CL_KERNEL_ARG_ADDRESS_GLOBAL ||
                 qualifier == CL_KERNEL_ARG_ADDRESS_CONSTANT)
            kernel->param_kinds[i] = ZCS__PARAM_ARRAY;
        else if (qualifier == CL_KERNEL_ARG_ADDRESS_LOCAL)
            kernel->param_kinds[i] = ZCS__PARAM_LOCAL;
        else if (qualifier == CL_KERNEL_ARG_ADDRESS_PRIVATE)
            kernel->param_kinds[i] = ZCS__PARAM_VALUE;
        char type_name[64];
        if (kernel->param_kinds[i] == ZCS__PARAM_VALUE &&
            zcs__cl.clGetKernelArgInfo(cl_kernel, i, CL_KERNEL_ARG_TYPE_NAME, sizeof type_name,
                                       type_name, NULL) == CL_SUCCESS) {
            type_name[sizeof type_name - 1] = '\0';
            kernel->param_sizes[i] = zcs__cl_type_size(type_name);
        }
        /* Pointers (global, constant, local) pass an address; a value of a type zcs cannot
           size (a struct) counts nothing here, and the runtime judges it. */
        total +=
            kernel->param_kinds[i] == ZCS__PARAM_VALUE ? kernel->param_sizes[i] : address_bits / 8u;
    }
    uint64_t limit = context->info.limits.max_parameter_bytes;
    if (limit != 0 && total > limit)
        return zcs__fail(context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                         "zcs_kernel_create: kernel \"%s\" has %u parameters of %llu bytes "
                         "together; the device takes at most %llu bytes of kernel arguments "
                         "(CL_DEVICE_MAX_PARAMETER_SIZE)",
                         kernel->name, (unsigned)num_args, (unsigned long long)total,
                         (unsigned long long)limit);
    return ZCS_SUCCESS;
}

/* PoCL names a file after each kernel in its cache, and aborts the process when it cannot
   create one: names past 252 characters (255, less the ".so") crash it at the first run. */
#define ZCS__CL_POCL_MAX_KERNEL_NAME 252

zcs_status zcs__backend_kernel_create(zcs_kernel *kernel, zcs_program *program)
{
    zcs_context *context = kernel->context;
    size_t name_length = strlen(kernel->name);
    if (name_length > ZCS__CL_POCL_MAX_KERNEL_NAME &&
        zcs__contains_ignore_case(context->platform_name, "Portable Computing Language"))
        return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                         "zcs_kernel_create: a kernel name of %zu characters; PoCL aborts the "
                         "process on names of more than %d (its kernel cache names a file after "
                         "each kernel): rename the kernel",
                         name_length, ZCS__CL_POCL_MAX_KERNEL_NAME);
    cl_int error = CL_SUCCESS;
    cl_kernel cl_kernel = zcs__cl.clCreateKernel(program->impl->program, kernel->name, &error);
    if (error == CL_INVALID_KERNEL_NAME)
        return zcs__fail(context, ZCS_ERROR_KERNEL_NOT_FOUND, error,
                         "zcs_kernel_create: the program has no kernel named \"%s\"", kernel->name);
    if (cl_kernel == NULL || error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateKernel", error, kernel->name);
    struct zcs__kernel_impl *impl = zcs__calloc(1, sizeof *impl);
    if (impl == NULL) {
        zcs__cl.clReleaseKernel(cl_kernel);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_kernel_create: out of host memory");
    }
    impl->kernel = cl_kernel;
    /* The kernel's own limit on work-group items (registers, local memory); 0 if unknown. */
    if (zcs__cl.clGetKernelWorkGroupInfo(cl_kernel, context->impl->device,
                                         CL_KERNEL_WORK_GROUP_SIZE, sizeof impl->work_group_size,
                                         &impl->work_group_size, NULL) != CL_SUCCESS)
        impl->work_group_size = 0;
    kernel->impl = impl;
    zcs_status status = zcs__cl_learn_params(kernel, cl_kernel);
    if (status != ZCS_SUCCESS)
        zcs__backend_kernel_destroy(kernel);
    return status;
}

void zcs__backend_kernel_destroy(zcs_kernel *kernel)
{
    if (kernel->impl == NULL)
        return;
    zcs__cl.clReleaseKernel(kernel->impl->kernel);
    zcs__free(kernel->impl);
    kernel->impl = NULL;
}

zcs_status zcs__backend_kernel_set_arg(zcs_kernel *kernel, uint32_t index)
{
    zcs_context *context = kernel->context;
    const zcs__kernel_arg *arg = &kernel->args[index];
    cl_kernel cl_kernel = kernel->impl->kernel;
    cl_int error = CL_SUCCESS;
    const char *call = "clSetKernelArg";
    if (arg->kind == ZCS__ARG_VALUE) {
        error = zcs__cl.clSetKernelArg(cl_kernel, index, arg->size, arg->value);
    } else if (arg->kind == ZCS__ARG_LOCAL) {
        error = zcs__cl.clSetKernelArg(cl_kernel, index, arg->size, NULL);
    } else if (arg->buffer->impl->svm == NULL) { /* host_ptr and staged: a cl_mem */
        error = zcs__cl.clSetKernelArg(cl_kernel, index, sizeof(cl_mem), &arg->buffer->impl->mem);
    } else {
        call = "clSetKernelArgSVMPointer";
        error = zcs__cl.clSetKernelArgSVMPointer(cl_kernel, index, arg->buffer->impl->svm);
    }
    if (error == CL_INVALID_ARG_SIZE || error == CL_INVALID_ARG_VALUE ||
        error == CL_INVALID_ARG_INDEX || error == CL_INVALID_MEM_OBJECT)
        return zcs__fail(context, ZCS_ERROR_KERNEL_ARGUMENT, error,
                         "%s failed for argument %u of kernel \"%s\": %s (%d)%s", call, index,
                         kernel->name, zcs__cl_error_name(error), (int)error,
                         error == CL_INVALID_ARG_SIZE ? " (the value's size differs from the "
                                                        "parameter's type)"
                                                      : "");
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, call, error, kernel->name);
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_kernel_set_indirect(zcs_kernel *kernel, zcs_array *const *arrays,
                                            size_t count)
{
    zcs_context *context = kernel->context;
    for (size_t i = 0; i < count; i++) {
        if (arrays[i]->tier == ZCS_TIER_HOST_PTR || arrays[i]->impl->svm == NULL)
            return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                             "zcs_kernel_set_indirect: array %zu: %s", i,
                             arrays[i]->tier == ZCS_TIER_STAGED ? ZCS__CL_STAGED_NO_ADDRESS_REASON
                                                                : ZCS__CL_NO_ADDRESS_REASON);
    }
    void **pointers = zcs__calloc(count + 1, sizeof *pointers);
    if (pointers == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_kernel_set_indirect: out of host memory for %zu pointers", count);
    for (size_t i = 0; i < count; i++)
        pointers[i] = arrays[i]->impl->svm;
    if (count == 0) {
        /* Clearing the list. An empty list is refused by NVIDIA's OpenCL (CL_INVALID_VALUE),
           and keeping the old one would hand freed allocations to the runtime at every later
           dispatch: declare the context's own small sentinel allocation instead. A context
           without SVM never had a list. */
        struct zcs__context_impl *ctx = context->impl;
        if ((context->info.tier == ZCS_TIER_HOST_PTR || context->info.tier == ZCS_TIER_STAGED) &&
            (context->streamed_tier == ZCS_TIER_HOST_PTR ||
             context->streamed_tier == ZCS_TIER_STAGED)) {
            zcs__free(pointers);
            return ZCS_SUCCESS;
        }
        pthread_mutex_lock(&ctx->svm_lock);
        if (ctx->svm_sentinel == NULL)
            ctx->svm_sentinel = zcs__cl.clSVMAlloc(ctx->cl_context, CL_MEM_READ_WRITE, 64, 0);
        pointers[0] = ctx->svm_sentinel;
        pthread_mutex_unlock(&ctx->svm_lock);
        if (pointers[0] == NULL) {
            zcs__free(pointers);
            return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                             "zcs_kernel_set_indirect: clSVMAlloc of 64 bytes returned NULL");
        }
        count = 1;
    }
    cl_int error = zcs__cl.clSetKernelExecInfo(kernel->impl->kernel, CL_KERNEL_EXEC_INFO_SVM_PTRS,
                                               count * sizeof(void *), pointers);
    zcs__free(pointers);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clSetKernelExecInfo", error, kernel->name);
    return ZCS_SUCCESS;
}
