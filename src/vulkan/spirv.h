/*
 * A small SPIR-V reader: the entry points of a module (so zcs_kernel_create finds
 * them), each one's work-group size and which of its dimensions specialization
 * constants set, and the kernel parameters the module declares: storage buffers of
 * descriptor set 0 (array argument i = binding i), the specialization constants
 * ZCS_LOCAL_SPEC_ID(i) that size shared arrays (local memory argument i), and the members
 * of the push-constant block (the value arguments: the remaining indices, in order).
 */
#ifndef ZCS_VULKAN_SPIRV_H
#define ZCS_VULKAN_SPIRV_H

#include <stddef.h>
#include <stdint.h>

#include "core/objects.h"

#define ZCS__SPIRV_MAGIC 0x07230203u

typedef struct zcs__spirv_entry {
    char name[128];
    uint32_t execution_model; /* 5: GLCompute */
    uint32_t id;
    /* Work-group size: the value of each dimension and the specialization constant id
       that overrides it, or -1 where the shader fixes it. */
    uint32_t local_size[3];
    int32_t local_size_spec_id[3];
} zcs__spirv_entry;

typedef struct zcs__spirv_params {
    /* 1 when the module's declarations give the parameters; else 0 (num_params 0). */
    int known;
    uint32_t count;
    /* `count` entries each (heap, freed with the module). */
    zcs__param_kind *kinds;
    /* For value parameters: byte offset in the push-constant block and size (0 where
       the reader cannot tell the member's size). */
    uint32_t *value_offset;
    uint32_t *value_size;
    uint32_t buffer_count; /* storage buffers (array parameters) */
    uint32_t push_bytes;   /* end of the last push-constant member */
} zcs__spirv_params;

typedef struct zcs__spirv_module {
    zcs__spirv_entry *entries;
    uint32_t entry_count;
    zcs__spirv_params params; /* module-wide: only with a single compute entry point */
} zcs__spirv_module;

/*
 * Read `word_count` host-endian words. A bad magic gives ZCS_ERROR_INVALID_ARGUMENT, a
 * malformed instruction stream ZCS_ERROR_BUILD (messages recorded on `context`).
 */
zcs_status zcs__spirv_parse(zcs_context *context, const uint32_t *words, size_t word_count,
                            zcs__spirv_module *out_module);

void zcs__spirv_module_free(zcs__spirv_module *module);

/*
 * A copy of the module (heap, *out_count words) whose entry point `from` is named `to`
 * (GLSL's "main" renamed to the kernel's own name: the SPIR-V name is only a literal of
 * OpEntryPoint). NULL when the module has no
 * such entry point, is malformed, or memory runs out.
 */
uint32_t *zcs__spirv_rename_entry(const uint32_t *words, size_t word_count, const char *from,
                                  const char *to, size_t *out_count);

#endif /* ZCS_VULKAN_SPIRV_H */
