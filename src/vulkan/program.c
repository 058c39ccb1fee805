/*
 * Programs and kernels: SPIR-V modules (given, embedded, from .spv files, or compiled
 * from GLSL with libshaderc), their entry points, kernel arguments, and the arrays a
 * kernel reaches through stored pointers (buffer device addresses).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "vulkan/include.h"
#include "vulkan/internal.h"
#include <spirv-tools/libspirv.h>

#if defined(ZCS_HAVE_SHADERC)
#include <shaderc/shaderc.h>
#endif

void zcs__vk_program_release(struct zcs__program_impl *program)
{
    if (program == NULL || atomic_fetch_sub(&program->references, 1) != 1)
        return;
    if (program->module != VK_NULL_HANDLE)
        zcs__vk.vkDestroyShaderModule(program->context_impl->device, program->module, NULL);
    zcs__spirv_module_free(&program->spirv);
    zcs__free(program);
}

/*
 * SPIRV-Tools' validator, with the rules of the device's Vulkan version, before the module
 * reaches the driver: drivers trust their input, and lavapipe crashed on truncated and
 * mutated modules that zcs's own reader let through.
 */
static zcs_status zcs__spirv_validate(zcs_context *context, const uint32_t *words, size_t count)
{
    uint32_t version = context->impl->api_version;
    spv_target_env env = SPV_ENV_VULKAN_1_1;
    if (VK_API_VERSION_MINOR(version) >= 3 || VK_API_VERSION_MAJOR(version) > 1)
        env = SPV_ENV_VULKAN_1_3;
    else if (VK_API_VERSION_MINOR(version) == 2)
        env = SPV_ENV_VULKAN_1_2;
    spv_context spirv = spvContextCreate(env);
    spv_validator_options options = spvValidatorOptionsCreate();
    zcs_status status = ZCS_SUCCESS;
    if (spirv == NULL || options == NULL) {
        status = zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                           "zcs_program: cannot start the SPIR-V validator (SPIRV-Tools)");
    } else {
        spv_const_binary_t binary = {words, count};
        spv_diagnostic diagnostic = NULL;
        spv_result_t result = spvValidateWithOptions(spirv, options, &binary, &diagnostic);
        if (result != SPV_SUCCESS)
            status = zcs__fail(context, ZCS_ERROR_BUILD, 0,
                               "malformed SPIR-V module of %zu words: the SPIRV-Tools validator "
                               "(%s rules) refused it: %s",
                               count, spvTargetEnvDescription(env),
                               diagnostic != NULL && diagnostic->error != NULL ? diagnostic->error
                                                                               : "no message");
        spvDiagnosticDestroy(diagnostic);
    }
    if (options != NULL)
        spvValidatorOptionsDestroy(options);
    if (spirv != NULL)
        spvContextDestroy(spirv);
    return status;
}

/* Validate a SPIR-V module and make the program's shader module from it. */
static zcs_status zcs__program_from_spirv(zcs_program *program, const void *code, size_t size)
{
    zcs_context *context = program->context;
    if (size < 20 || size % 4 != 0)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "not a SPIR-V module: %zu bytes (a module is a whole number of 4-byte "
                         "words, 20 bytes of header at least)",
                         size);
    /* Copy into words: the caller's bytes (an embedded array, a file) need not be
       4-byte aligned. */
    uint32_t *words = zcs__malloc(size);
    struct zcs__program_impl *impl = zcs__calloc(1, sizeof *impl);
    if (words == NULL || impl == NULL) {
        zcs__free(words);
        zcs__free(impl);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_program: out of host memory for a %zu-byte SPIR-V module", size);
    }
    memcpy(words, code, size);
    atomic_init(&impl->references, 1);
    impl->context_impl = context->impl;
    zcs_status status = zcs__spirv_parse(context, words, size / 4, &impl->spirv);
    if (status == ZCS_SUCCESS)
        status = zcs__spirv_validate(context, words, size / 4);
    if (status == ZCS_SUCCESS) {
        VkShaderModuleCreateInfo info = {
            .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
            .codeSize = size,
            .pCode = words,
        };
        VkResult result =
            zcs__vk.vkCreateShaderModule(context->impl->device, &info, NULL, &impl->module);
        if (result != VK_SUCCESS) {
            impl->module = VK_NULL_HANDLE;
            status = zcs__vk_fail(context, result, "vkCreateShaderModule",
                                  "a SPIR-V module of %zu bytes", size);
        }
    }
    zcs__free(words);
    if (status != ZCS_SUCCESS) {
        zcs__vk_program_release(impl);
        return status;
    }
    program->impl = impl;
    return ZCS_SUCCESS;
}

#if defined(ZCS_HAVE_SHADERC)
/* Turn zcs's option string into shaderc options: -DNAME[=VALUE], -I dir (or -Idir), -O,
   -O0, -Os, -g, -Werror, -w. Returns the first unknown token (in `unknown`) as a failure. */
static int zcs__glsl_options(shaderc_compile_options_t shaderc_options, const char *options,
                             zcs__vk_includer *includer, char *unknown, size_t unknown_size)
{
    if (options == NULL)
        return 1;
    const char *p = options;
    while (*p != '\0') {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            break;
        const char *start = p;
        while (*p != '\0' && !isspace((unsigned char)*p))
            p++;
        size_t length = (size_t)(p - start);
        if (length >= 2 && strncmp(start, "-I", 2) == 0) {
            const char *dir = start + 2;
            size_t dir_length = length - 2;
            if (dir_length == 0) { /* "-I dir" */
                while (isspace((unsigned char)*p))
                    p++;
                dir = p;
                while (*p != '\0' && !isspace((unsigned char)*p))
                    p++;
                dir_length = (size_t)(p - dir);
            }
            if (dir_length == 0 || !zcs__vk_includer_add_dir(includer, dir, dir_length)) {
                snprintf(unknown, unknown_size, "%.*s (a directory after -I, at most %d)",
                         (int)length, start, ZCS__VK_MAX_INCLUDE_DIRS);
                return 0;
            }
        } else if (length > 2 && strncmp(start, "-D", 2) == 0) {
            const char *name = start + 2;
            const char *equals = memchr(name, '=', length - 2);
            size_t name_length = equals != NULL ? (size_t)(equals - name) : length - 2;
            const char *value = equals != NULL ? equals + 1 : NULL;
            size_t value_length = equals != NULL ? (size_t)(p - value) : 0;
            shaderc_compile_options_add_macro_definition(shaderc_options, name, name_length, value,
                                                         value_length);
        } else if (length == 2 && strncmp(start, "-O", 2) == 0) {
            shaderc_compile_options_set_optimization_level(shaderc_options,
                                                           shaderc_optimization_level_performance);
        } else if (length == 3 && strncmp(start, "-O0", 3) == 0) {
            shaderc_compile_options_set_optimization_level(shaderc_options,
                                                           shaderc_optimization_level_zero);
        } else if (length == 3 && strncmp(start, "-Os", 3) == 0) {
            shaderc_compile_options_set_optimization_level(shaderc_options,
                                                           shaderc_optimization_level_size);
        } else if (length == 2 && strncmp(start, "-g", 2) == 0) {
            shaderc_compile_options_set_generate_debug_info(shaderc_options);
        } else if (length == 7 && strncmp(start, "-Werror", 7) == 0) {
            shaderc_compile_options_set_warnings_as_errors(shaderc_options);
        } else if (length == 2 && strncmp(start, "-w", 2) == 0) {
            shaderc_compile_options_set_suppress_warnings(shaderc_options);
        } else {
            snprintf(unknown, unknown_size, "%.*s", (int)length, start);
            return 0;
        }
    }
    return 1;
}
#endif

#if defined(ZCS_HAVE_SHADERC)
/* The number and profile of the source's first #version directive; 0 when it has none. */
static void zcs__glsl_version(const char *source, size_t length, int *out_version, int *out_es)
{
    size_t i = 0;
    while (i < length) {
        /* At the start of a line: skip blanks, look for the directive. */
        while (i < length && (source[i] == ' ' || source[i] == '\t'))
            i++;
        if (i + 8 <= length && strncmp(source + i, "#version", 8) == 0) {
            i += 8;
            int version = 0;
            while (i < length && (source[i] == ' ' || source[i] == '\t'))
                i++;
            while (i < length && isdigit((unsigned char)source[i]) && version < 100000)
                version = version * 10 + (source[i++] - '0');
            while (i < length && (source[i] == ' ' || source[i] == '\t'))
                i++;
            *out_es = i + 2 <= length && strncmp(source + i, "es", 2) == 0;
            *out_version = version > 0 ? version : -1;
            return;
        }
        while (i < length && source[i] != '\n')
            i++;
        i++;
    }
    *out_version = 0;
    *out_es = 0;
}
#endif

/*
 * The kernel name a GLSL source gives itself with a `#pragma zcs_kernel(NAME)` line (GLSL
 * requires its entry point to be called main; glslang passes unknown pragmas by without a
 * word). Writes "" when the source has none; returns 0 for a malformed one.
 */
static int zcs__glsl_kernel_name(const char *source, size_t length, char *out, size_t out_size)
{
    static const char directive[] = "zcs_kernel";
    out[0] = '\0';
    size_t i = 0;
    while (i < length) {
        while (i < length && (source[i] == ' ' || source[i] == '\t'))
            i++;
        if (i + 7 <= length && strncmp(source + i, "#pragma", 7) == 0) {
            size_t j = i + 7;
            while (j < length && (source[j] == ' ' || source[j] == '\t'))
                j++;
            if (j + sizeof directive - 1 <= length &&
                strncmp(source + j, directive, sizeof directive - 1) == 0) {
                j += sizeof directive - 1;
                while (j < length && (source[j] == ' ' || source[j] == '\t'))
                    j++;
                if (j >= length || source[j] != '(')
                    return 0;
                j++;
                size_t n = 0;
                while (j < length && (isalnum((unsigned char)source[j]) || source[j] == '_')) {
                    if (n + 1 >= out_size)
                        return 0;
                    out[n++] = source[j++];
                }
                out[n] = '\0';
                return n > 0 && !isdigit((unsigned char)out[0]) && j < length && source[j] == ')';
            }
        }
        while (i < length && source[i] != '\n')
            i++;
        i++;
    }
    return 1;
}

/* Compile GLSL compute source to SPIR-V and create the program from it. */
static zcs_status zcs__compile_glsl(zcs_program *program, const char *name, const char *source,
                                    size_t length, const char *options)
{
    zcs_context *context = program->context;
#if defined(ZCS_HAVE_SHADERC)
    shaderc_compiler_t compiler = shaderc_compiler_initialize();
    shaderc_compile_options_t shaderc_options = shaderc_compile_options_initialize();
    if (compiler == NULL || shaderc_options == NULL) {
        if (shaderc_options != NULL)
            shaderc_compile_options_release(shaderc_options);
        if (compiler != NULL)
            shaderc_compiler_release(compiler);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "cannot start the GLSL compiler (libshaderc)");
    }
    shaderc_compile_options_set_target_env(shaderc_options, shaderc_target_env_vulkan,
                                           shaderc_env_version_vulkan_1_1);
    char unknown[256];
    zcs__vk_includer includer = {0};
    if (!zcs__glsl_options(shaderc_options, options, &includer, unknown, sizeof unknown)) {
        zcs__vk_includer_clear(&includer);
        shaderc_compile_options_release(shaderc_options);
        shaderc_compiler_release(compiler);
        return zcs__fail(context, ZCS_ERROR_BUILD, 0,
                         "GLSL build of %s: unknown compiler option \"%s\" (the Vulkan backend "
                         "takes -DNAME[=VALUE], -I dir, -O, -O0, -Os, -g, -Werror, -w)",
                         name, unknown);
    }
    zcs__vk_includer_install(&includer, shaderc_options);
    /* glslang dumps its whole built-in declarations (some 260 KB) to stdout when it cannot
       parse them, which happens for a compute shader of a version below 420 (310 es) or
       with no #version at all (then 110). So: no #version means 450, and too old a version
       is refused here with the reason, before the compiler runs. */
    int version = 0;
    int es = 0;
    zcs__glsl_version(source, length, &version, &es);
    if (version == 0) {
        shaderc_compile_options_set_forced_version_profile(shaderc_options, 450,
                                                           shaderc_profile_none);
    } else if (version < (es ? 310 : 420)) {
        shaderc_compile_options_release(shaderc_options);
        shaderc_compiler_release(compiler);
        zcs__vk_includer_clear(&includer);
        return zcs__fail(context, ZCS_ERROR_BUILD, 0,
                         "GLSL build of %s: #version %d%s is too old for a compute shader (at "
                         "least 420, or 310 es; 450 is what zcs's own kernels use)",
                         name, version, es ? " es" : "");
    }
    char kernel_name[128];
    if (!zcs__glsl_kernel_name(source, length, kernel_name, sizeof kernel_name)) {
        shaderc_compile_options_release(shaderc_options);
        shaderc_compiler_release(compiler);
        zcs__vk_includer_clear(&includer);
        return zcs__fail(context, ZCS_ERROR_BUILD, 0,
                         "GLSL build of %s: malformed #pragma zcs_kernel line: write "
                         "`#pragma zcs_kernel(name)` with a GLSL identifier of at most %zu "
                         "characters",
                         name, sizeof kernel_name - 1);
    }
    shaderc_compilation_result_t result = shaderc_compile_into_spv(
        compiler, source, length, shaderc_glsl_compute_shader, name, "main", shaderc_options);
    zcs_status status = ZCS_SUCCESS;
    if (result == NULL) {
        status = zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                           "GLSL build of %s: libshaderc returned no result", name);
    } else if (shaderc_result_get_compilation_status(result) !=
               shaderc_compilation_status_success) {
        status = zcs__fail(context, ZCS_ERROR_BUILD, 0,
                           "GLSL build of %s failed (%zu errors, %zu warnings); build log:\n%s",
                           name, shaderc_result_get_num_errors(result),
                           shaderc_result_get_num_warnings(result),
                           shaderc_result_get_error_message(result));
    } else if (kernel_name[0] != '\0') {
        /* The kernel's own name for the entry point GLSL calls main. */
        size_t count = 0;
        size_t bytes = shaderc_result_get_length(result);
        uint32_t *words = zcs__malloc(bytes > 0 ? bytes : 1);
        uint32_t *renamed = NULL;
        if (words != NULL) {
            memcpy(words, shaderc_result_get_bytes(result), bytes);
            renamed = zcs__spirv_rename_entry(words, bytes / 4, "main", kernel_name, &count);
        }
        if (renamed == NULL)
            status = zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                               "GLSL build of %s: cannot name the entry point \"%s\" (out of "
                               "host memory)",
                               name, kernel_name);
        else
            status = zcs__program_from_spirv(program, renamed, count * 4);
        zcs__free(words);
        zcs__free(renamed);
    } else {
        status = zcs__program_from_spirv(program, shaderc_result_get_bytes(result),
                                         shaderc_result_get_length(result));
    }
    if (result != NULL)
        shaderc_result_release(result);
    shaderc_compile_options_release(shaderc_options);
    shaderc_compiler_release(compiler);
    zcs__vk_includer_clear(&includer);
    return status;
#else
    (void)program;
    (void)source;
    (void)length;
    (void)options;
    return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                     "GLSL build of %s: this zcs was built without a GLSL compiler (libshaderc; "
                     "Debian: libshaderc-dev); compile to SPIR-V with glslc and use "
                     "zcs_program_create_from_spirv or a .spv file",
                     name);
#endif
}

zcs_status zcs__backend_program_create(zcs_program *program, const zcs__program_code *code)
{
    if (code->format == ZCS__PROGRAM_SPIRV) /* zcs_program_create_from_spirv, .spv, builtins */
        return zcs__program_from_spirv(program, code->data, code->size);
    if (code->path == NULL)
        return zcs__compile_glsl(program, "<source>", code->data, code->size, code->options);
    /* A file of any other extension is GLSL (.comp, .glsl, ...); a SPIR-V file under
       another name is recognised by its magic number. */
    if (code->size >= 20 && code->size % 4 == 0) {
        uint32_t magic;
        memcpy(&magic, code->data, sizeof magic);
        if (magic == ZCS__SPIRV_MAGIC)
            return zcs__program_from_spirv(program, code->data, code->size);
    }
    return zcs__compile_glsl(program, code->path, code->data, code->size, code->options);
}

void zcs__backend_program_destroy(zcs_program *program)
{
    zcs__vk_program_release(program->impl);
    program->impl = NULL;
}

/* The entry point `kernel->name` answers to, or NULL. */
static const zcs__spirv_entry *zcs__find_entry(const zcs_program *program, const char *name)
{
    const zcs__spirv_module *spirv = &program->impl->spirv;
    for (uint32_t e = 0; e < spirv->entry_count; e++) {
        if (strcmp(spirv->entries[e].name, name) == 0)
            return &spirv->entries[e];
    }
    /* GLSL entry points are all "main": a module with only "main" answers to its
       program's name (builtin or file stem). */
    if (spirv->entry_count == 1 && strcmp(spirv->entries[0].name, "main") == 0 &&
        program->default_kernel_name[0] != '\0' && strcmp(program->default_kernel_name, name) == 0)
        return &spirv->entries[0];
    return NULL;
}

/* The kernel's parameters from the module's declarations, checked against the device's
   descriptor and push-constant limits. */
static zcs_status zcs__vk_kernel_params(zcs_kernel *kernel)
{
    zcs_context *context = kernel->context;
    const zcs__spirv_params *params = &kernel->impl->params;
    const VkPhysicalDeviceLimits *limits = &context->impl->properties.limits;
    if (!params->known) {
        /* Unknown parameters: as many arguments as descriptors and push constants allow. */
        uint64_t most = (uint64_t)limits->maxPerStageDescriptorStorageBuffers +
                        limits->maxPushConstantsSize / 4;
        kernel->max_params = most < 65536 ? (uint32_t)most : 65536;
        return ZCS_SUCCESS;
    }
    struct {
        uint64_t used;
        uint64_t limit;
        const char *what;
        const char *name;
    } checks[] = {
        {params->buffer_count, limits->maxPerStageDescriptorStorageBuffers, "array parameters",
         "maxPerStageDescriptorStorageBuffers"},
        {params->buffer_count, limits->maxDescriptorSetStorageBuffers, "array parameters",
         "maxDescriptorSetStorageBuffers"},
        {params->push_bytes, limits->maxPushConstantsSize,
         "bytes of value parameters (its push-constant block)", "maxPushConstantsSize"},
    };
    for (size_t c = 0; c < sizeof checks / sizeof checks[0]; c++) {
        if (checks[c].used > checks[c].limit)
            return zcs__fail(context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                             "zcs_kernel_create: kernel \"%s\" has %llu %s; the device takes at "
                             "most %llu (%s)",
                             kernel->name, (unsigned long long)checks[c].used, checks[c].what,
                             (unsigned long long)checks[c].limit, checks[c].name);
    }
    zcs_status status = zcs__kernel_reserve_params(kernel, params->count);
    if (status != ZCS_SUCCESS)
        return status;
    kernel->num_params = params->count;
    for (uint32_t i = 0; i < params->count; i++) {
        kernel->param_kinds[i] = params->kinds[i];
        if (params->kinds[i] == ZCS__PARAM_VALUE)
            kernel->param_sizes[i] = params->value_size[i];
    }
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_kernel_create(zcs_kernel *kernel, zcs_program *program)
{
    zcs_context *context = kernel->context;
    const zcs__spirv_entry *entry = zcs__find_entry(program, kernel->name);
    if (entry == NULL || entry->execution_model != 5 /* GLCompute */) {
        char names[1024] = "";
        size_t used = 0;
        const zcs__spirv_module *spirv = &program->impl->spirv;
        for (uint32_t e = 0; e < spirv->entry_count && used < sizeof names; e++) {
            int n = snprintf(names + used, sizeof names - used, "%s\"%s\"%s", e > 0 ? ", " : "",
                             spirv->entries[e].name,
                             spirv->entries[e].execution_model == 5 ? "" : " (not compute)");
            if (n < 0)
                break;
            used += (size_t)n;
        }
        return zcs__fail(context, ZCS_ERROR_KERNEL_NOT_FOUND, 0,
                         "zcs_kernel_create: no compute entry point \"%s\" in the module%s%s%s; "
                         "it has %s",
                         kernel->name,
                         program->default_kernel_name[0] != '\0' ? " (which also answers to \""
                                                                 : "",
                         program->default_kernel_name,
                         program->default_kernel_name[0] != '\0' ? "\" for \"main\")" : "", names);
    }
    struct zcs__kernel_impl *impl = zcs__calloc(1, sizeof *impl);
    if (impl == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_kernel_create: out of host memory");
    impl->entry = *entry;
    impl->params = program->impl->spirv.params;
    impl->program = program->impl;
    atomic_fetch_add(&impl->program->references, 1);
    kernel->impl = impl;
    zcs_status status = zcs__vk_kernel_params(kernel);
    if (status != ZCS_SUCCESS)
        zcs__backend_kernel_destroy(kernel);
    return status;
}

void zcs__backend_kernel_destroy(zcs_kernel *kernel)
{
    struct zcs__kernel_impl *impl = kernel->impl;
    if (impl == NULL)
        return;
    struct zcs__context_impl *context_impl = kernel->context->impl;
    /* Submissions still running this kernel's pipelines keep them alive: wait first. */
    zcs__vk_wait_submissions(context_impl, impl);
    zcs__vk_pipelines_destroy(context_impl, impl);
    zcs__vk_program_release(impl->program);
    zcs__free(impl);
    kernel->impl = NULL;
}

zcs_status zcs__backend_kernel_set_arg(zcs_kernel *kernel, uint32_t index)
{
    const struct zcs__kernel_impl *impl = kernel->impl;
    const zcs__kernel_arg *arg = &kernel->args[index];
    if (arg->kind != ZCS__ARG_VALUE || !impl->params.known)
        return ZCS_SUCCESS;
    /* The shader declares the push-constant member: a value of another size would shift
       or truncate it silently. */
    uint32_t expected = impl->params.value_size[index];
    if (expected != 0 && arg->size != expected)
        return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                         "zcs_kernel_set_value: argument %u of kernel \"%s\" is a %u-byte "
                         "push-constant member in the shader; got %zu bytes",
                         index, kernel->name, expected, arg->size);
    uint32_t push_limit = kernel->context->impl->properties.limits.maxPushConstantsSize;
    if (impl->params.value_offset[index] + arg->size > push_limit)
        return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                         "zcs_kernel_set_value: argument %u of kernel \"%s\" lies at bytes "
                         "%u to %zu of the push-constant block; the device takes %u bytes "
                         "(maxPushConstantsSize)",
                         index, kernel->name, impl->params.value_offset[index],
                         impl->params.value_offset[index] + arg->size, push_limit);
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_kernel_set_indirect(zcs_kernel *kernel, zcs_array *const *arrays,
                                            size_t count)
{
    (void)arrays;
    /* Shaders reach any address of the device's memory; nothing to declare. The core
       still orders these arrays like arguments. */
    if (count != 0 && !kernel->context->impl->buffer_device_address)
        return zcs__fail(kernel->context, ZCS_ERROR_UNSUPPORTED, 0, "zcs_kernel_set_indirect: %s",
                         ZCS__VK_NO_ADDRESS_REASON);
    return ZCS_SUCCESS;
}
