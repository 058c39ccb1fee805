/* A small SPIR-V reader (see spirv.h). Opcode and enum values from the SPIR-V spec. */
#include <string.h>

#include "vulkan/spirv.h"

enum {
    ZCS__OP_ENTRY_POINT = 15,
    ZCS__OP_EXECUTION_MODE = 16,
    ZCS__OP_TYPE_INT = 21,
    ZCS__OP_TYPE_FLOAT = 22,
    ZCS__OP_TYPE_VECTOR = 23,
    ZCS__OP_TYPE_ARRAY = 28,
    ZCS__OP_TYPE_STRUCT = 30,
    ZCS__OP_TYPE_POINTER = 32,
    ZCS__OP_CONSTANT = 43,
    ZCS__OP_CONSTANT_COMPOSITE = 44,
    ZCS__OP_SPEC_CONSTANT = 50,
    ZCS__OP_SPEC_CONSTANT_COMPOSITE = 51,
    ZCS__OP_VARIABLE = 59,
    ZCS__OP_DECORATE = 71,
    ZCS__OP_MEMBER_DECORATE = 72,
    ZCS__OP_EXECUTION_MODE_ID = 331,

    ZCS__MODEL_GL_COMPUTE = 5,
    ZCS__MODE_LOCAL_SIZE = 17,
    ZCS__MODE_LOCAL_SIZE_ID = 38,

    ZCS__DECORATION_SPEC_ID = 1,
    ZCS__DECORATION_BLOCK = 2,
    ZCS__DECORATION_BUFFER_BLOCK = 3,
    ZCS__DECORATION_ARRAY_STRIDE = 6,
    ZCS__DECORATION_BUILT_IN = 11,
    ZCS__DECORATION_BINDING = 33,
    ZCS__DECORATION_DESCRIPTOR_SET = 34,
    ZCS__DECORATION_OFFSET = 35,

    ZCS__BUILT_IN_WORKGROUP_SIZE = 25,

    ZCS__STORAGE_UNIFORM_CONSTANT = 0,
    ZCS__STORAGE_UNIFORM = 2,
    ZCS__STORAGE_PUSH_CONSTANT = 9,
    ZCS__STORAGE_STORAGE_BUFFER = 12,
};

#define ZCS__NONE 0xffffffffu

/* What the reader records of one id. */
typedef struct zcs__spirv_id {
    uint32_t def;     /* word index of the defining instruction, 0 if none seen */
    uint32_t spec_id; /* SpecId decoration, ZCS__NONE if none */
    uint32_t binding;
    uint32_t set;
    uint32_t array_stride;
    uint8_t block;        /* Block */
    uint8_t buffer_block; /* BufferBlock (storage buffer before SPIR-V 1.3) */
    uint8_t workgroup_size;
} zcs__spirv_id;

typedef struct zcs__spirv_reader {
    const uint32_t *words;
    size_t word_count;
    uint32_t bound;
    zcs__spirv_id *ids;
} zcs__spirv_reader;

static uint32_t zcs__opcode(const zcs__spirv_reader *r, uint32_t at)
{
    return r->words[at] & 0xffffu;
}

static uint32_t zcs__length(const zcs__spirv_reader *r, uint32_t at)
{
    return r->words[at] >> 16;
}

/* The id an instruction defines (for the opcodes the reader cares about), or NONE. */
static uint32_t zcs__result_id(const zcs__spirv_reader *r, uint32_t at)
{
    uint32_t op = zcs__opcode(r, at);
    uint32_t length = zcs__length(r, at);
    if (op >= 19 && op <= 39 && length >= 2) /* OpTypeVoid .. OpTypeForwardPointer */
        return r->words[at + 1];
    if (((op >= 41 && op <= 51) || op == ZCS__OP_VARIABLE) && length >= 3)
        return r->words[at + 2];
    return ZCS__NONE;
}

static const uint32_t *zcs__def(const zcs__spirv_reader *r, uint32_t id)
{
    if (id >= r->bound || r->ids[id].def == 0)
        return NULL;
    return &r->words[r->ids[id].def];
}

/* Size in bytes of a type as laid out by its decorations, 0 if the reader cannot tell. */
static uint32_t zcs__type_size(const zcs__spirv_reader *r, uint32_t type, int depth)
{
    const uint32_t *def = zcs__def(r, type);
    if (def == NULL || depth > 8)
        return 0;
    uint32_t op = def[0] & 0xffffu;
    uint32_t length = def[0] >> 16;
    switch (op) {
    case ZCS__OP_TYPE_INT:
    case ZCS__OP_TYPE_FLOAT:
        return length >= 3 ? def[2] / 8 : 0;
    case ZCS__OP_TYPE_VECTOR:
        return length >= 4 ? zcs__type_size(r, def[2], depth + 1) * def[3] : 0;
    case ZCS__OP_TYPE_ARRAY: {
        if (length < 4 || r->ids[type].array_stride == 0)
            return 0;
        const uint32_t *count = zcs__def(r, def[3]);
        if (count == NULL || (count[0] & 0xffffu) != ZCS__OP_CONSTANT || (count[0] >> 16) < 4)
            return 0;
        return count[3] * r->ids[type].array_stride;
    }
    default:
        return 0; /* matrices, nested structs: the size check is skipped */
    }
}

/* The value of constant `id` as a work-group size entry, and its SpecId if it has one. */
static void zcs__constant_dimension(const zcs__spirv_reader *r, uint32_t id, uint32_t *value,
                                    int32_t *spec_id)
{
    const uint32_t *def = zcs__def(r, id);
    if (def == NULL || (def[0] >> 16) < 4)
        return;
    uint32_t op = def[0] & 0xffffu;
    if (op != ZCS__OP_CONSTANT && op != ZCS__OP_SPEC_CONSTANT)
        return;
    *value = def[3];
    *spec_id = op == ZCS__OP_SPEC_CONSTANT && r->ids[id].spec_id != ZCS__NONE
                   ? (int32_t)r->ids[id].spec_id
                   : -1;
}

/* Whether bit `i` of a bit set of `bits` entries is set, and set it. */
static int zcs__bit(const uint8_t *set, uint32_t i)
{
    return (set[i / 8] >> (i % 8)) & 1u;
}

static void zcs__set_bit(uint8_t *set, uint32_t i)
{
    set[i / 8] = (uint8_t)(set[i / 8] | (1u << (i % 8)));
}

/* Most parameters the reader takes (bindings and local memory indices beyond it leave the
   parameters unknown); devices bound them far lower. */
#define ZCS__SPIRV_MAX_PARAMS 65536u

/*
 * Fill module->params from the storage buffers (array parameter = binding), the
 * specialization constants ZCS_LOCAL_SPEC_ID(i) (local memory parameter i) and the
 * push-constant block (value parameters: the indices left, in member order). Anything
 * outside this convention leaves the parameters unknown. Returns ZCS_ERROR_OUT_OF_MEMORY
 * or ZCS_SUCCESS.
 */
static zcs_status zcs__reflect_params(const zcs__spirv_reader *r, zcs__spirv_module *module)
{
    zcs__spirv_params *params = &module->params;
    uint8_t *taken = zcs__calloc(ZCS__SPIRV_MAX_PARAMS / 8, 1);
    uint8_t *local = zcs__calloc(ZCS__SPIRV_MAX_PARAMS / 8, 1);
    zcs_status status = ZCS_SUCCESS;
    uint32_t buffer_count = 0;
    uint32_t local_count = 0;
    uint32_t highest = 0; /* one past the highest binding or local index */
    uint32_t push_struct = ZCS__NONE;
    int outside = 0;
    if (taken == NULL || local == NULL) {
        status = ZCS_ERROR_OUT_OF_MEMORY;
        goto done;
    }
    for (uint32_t at = 5; at < r->word_count && !outside; at += zcs__length(r, at)) {
        uint32_t op = zcs__opcode(r, at);
        if (op == ZCS__OP_SPEC_CONSTANT && zcs__length(r, at) >= 4 && r->words[at + 2] < r->bound) {
            uint32_t spec_id = r->ids[r->words[at + 2]].spec_id;
            if (spec_id == ZCS__NONE || spec_id < ZCS_LOCAL_SPEC_ID(0) ||
                spec_id - ZCS_LOCAL_SPEC_ID(0) >= ZCS__SPIRV_MAX_PARAMS)
                continue;
            uint32_t index = spec_id - ZCS_LOCAL_SPEC_ID(0);
            if (zcs__bit(taken, index)) {
                outside = 1;
                break;
            }
            zcs__set_bit(taken, index);
            zcs__set_bit(local, index);
            local_count++;
            highest = index + 1 > highest ? index + 1 : highest;
            continue;
        }
        if (op != ZCS__OP_VARIABLE || zcs__length(r, at) < 4)
            continue;
        uint32_t id = r->words[at + 2];
        uint32_t storage = r->words[at + 3];
        const uint32_t *pointer = id < r->bound ? zcs__def(r, r->words[at + 1]) : NULL;
        if (pointer == NULL || (pointer[0] & 0xffffu) != ZCS__OP_TYPE_POINTER ||
            (pointer[0] >> 16) < 4 || pointer[3] >= r->bound) {
            outside = 1; /* a malformed module: its parameters stay unknown */
            break;
        }
        uint32_t pointee = pointer[3];
        int storage_buffer = storage == ZCS__STORAGE_STORAGE_BUFFER ||
                             (storage == ZCS__STORAGE_UNIFORM && r->ids[pointee].buffer_block);
        if (storage_buffer) {
            uint32_t binding = r->ids[id].binding;
            if (r->ids[id].set != 0 || binding >= ZCS__SPIRV_MAX_PARAMS ||
                zcs__bit(taken, binding)) {
                outside = 1; /* outside the zcs convention: parameters stay unknown */
                break;
            }
            zcs__set_bit(taken, binding);
            buffer_count++;
            highest = binding + 1 > highest ? binding + 1 : highest;
        } else if (storage == ZCS__STORAGE_UNIFORM || storage == ZCS__STORAGE_UNIFORM_CONSTANT) {
            outside = 1; /* uniform buffers, images, samplers: not zcs arguments */
        } else if (storage == ZCS__STORAGE_PUSH_CONSTANT) {
            push_struct = pointee;
        }
    }
    uint32_t value_count = 0;
    const uint32_t *members = NULL;
    if (!outside && push_struct != ZCS__NONE) {
        members = zcs__def(r, push_struct);
        if (members == NULL || (members[0] & 0xffffu) != ZCS__OP_TYPE_STRUCT)
            outside = 1;
        else
            value_count = (members[0] >> 16) - 2;
    }
    uint32_t count = buffer_count + local_count + value_count;
    /* Every binding and local index lies below the count: values fill the gaps. */
    if (outside || count == 0 || highest > count)
        goto done;
    params->kinds = zcs__calloc(count, sizeof *params->kinds);
    params->value_offset = zcs__calloc(count, sizeof *params->value_offset);
    params->value_size = zcs__calloc(count, sizeof *params->value_size);
    uint32_t *member_index_of = zcs__calloc(count, sizeof *member_index_of);
    if (params->kinds == NULL || params->value_offset == NULL || params->value_size == NULL ||
        member_index_of == NULL) {
        zcs__free(member_index_of);
        status = ZCS_ERROR_OUT_OF_MEMORY;
        goto done;
    }
    uint32_t member = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (zcs__bit(local, i)) {
            params->kinds[i] = ZCS__PARAM_LOCAL;
        } else if (zcs__bit(taken, i)) {
            params->kinds[i] = ZCS__PARAM_ARRAY;
        } else {
            params->kinds[i] = ZCS__PARAM_VALUE;
            params->value_size[i] = zcs__type_size(r, members[2 + member], 0);
            params->value_offset[i] = ZCS__NONE;
            member_index_of[i] = member++;
        }
    }
    /* Member offsets come from OpMemberDecorate ... Offset. */
    for (uint32_t at = 5; at < r->word_count; at += zcs__length(r, at)) {
        if (zcs__opcode(r, at) != ZCS__OP_MEMBER_DECORATE || zcs__length(r, at) < 5 ||
            r->words[at + 1] != push_struct || r->words[at + 3] != ZCS__DECORATION_OFFSET)
            continue;
        for (uint32_t i = 0; i < count; i++) {
            if (params->kinds[i] == ZCS__PARAM_VALUE && member_index_of[i] == r->words[at + 2])
                params->value_offset[i] = r->words[at + 4];
        }
    }
    zcs__free(member_index_of);
    uint32_t push_bytes = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (params->kinds[i] != ZCS__PARAM_VALUE)
            continue;
        if (params->value_offset[i] == ZCS__NONE)
            goto done;
        uint32_t end_byte = params->value_offset[i] + params->value_size[i];
        push_bytes = end_byte > push_bytes ? end_byte : push_bytes;
    }
    params->count = count;
    params->buffer_count = buffer_count;
    params->push_bytes = push_bytes;
    params->known = 1;
done:
    if (!params->known) {
        zcs__free(params->kinds);
        zcs__free(params->value_offset);
        zcs__free(params->value_size);
        memset(params, 0, sizeof *params);
    }
    zcs__free(taken);
    zcs__free(local);
    return status;
}

static zcs_status zcs__read_entries(zcs_context *context, zcs__spirv_reader *r,
                                    zcs__spirv_module *module)
{
    uint32_t count = 0;
    for (uint32_t at = 5; at < r->word_count; at += zcs__length(r, at)) {
        if (zcs__opcode(r, at) == ZCS__OP_ENTRY_POINT)
            count++;
    }
    if (count == 0)
        return zcs__fail(context, ZCS_ERROR_BUILD, 0, "the SPIR-V module has no entry point");
    module->entries = zcs__calloc(count, sizeof *module->entries);
    if (module->entries == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "out of host memory reading a SPIR-V module");
    uint32_t workgroup_size = ZCS__NONE;
    for (uint32_t id = 0; id < r->bound; id++) {
        if (r->ids[id].workgroup_size)
            workgroup_size = id;
    }
    for (uint32_t at = 5; at < r->word_count; at += zcs__length(r, at)) {
        if (zcs__opcode(r, at) != ZCS__OP_ENTRY_POINT)
            continue;
        uint32_t length = zcs__length(r, at);
        if (length < 4)
            return zcs__fail(context, ZCS_ERROR_BUILD, 0,
                             "malformed SPIR-V: short OpEntryPoint at word %u", at);
        zcs__spirv_entry *entry = &module->entries[module->entry_count++];
        entry->execution_model = r->words[at + 1];
        entry->id = r->words[at + 2];
        /* The name is a NUL-terminated UTF-8 literal packed into the remaining words,
           first character in the lowest-order byte of a word. */
        size_t max_bytes = (size_t)(length - 3) * 4;
        size_t name_length = 0;
        int terminated = 0;
        while (name_length < max_bytes && name_length < sizeof entry->name) {
            uint32_t word = r->words[at + 3 + name_length / 4];
            char c = (char)((word >> (8 * (name_length % 4))) & 0xffu);
            entry->name[name_length] = c;
            if (c == '\0') {
                terminated = 1;
                break;
            }
            name_length++;
        }
        if (!terminated)
            return zcs__fail(context, ZCS_ERROR_BUILD, 0,
                             "malformed SPIR-V: entry point name at word %u is unterminated "
                             "or longer than %zu bytes",
                             at, sizeof entry->name - 1);
        for (int d = 0; d < 3; d++) {
            entry->local_size[d] = 1;
            entry->local_size_spec_id[d] = -1;
        }
    }
    /* Work-group sizes: LocalSize / LocalSizeId execution modes, overridden by a
       constant decorated BuiltIn WorkgroupSize (what glslang emits for local_size_*_id). */
    for (uint32_t at = 5; at < r->word_count; at += zcs__length(r, at)) {
        uint32_t op = zcs__opcode(r, at);
        if ((op != ZCS__OP_EXECUTION_MODE && op != ZCS__OP_EXECUTION_MODE_ID) ||
            zcs__length(r, at) < 6)
            continue;
        uint32_t mode = r->words[at + 2];
        for (uint32_t e = 0; e < module->entry_count; e++) {
            zcs__spirv_entry *entry = &module->entries[e];
            if (entry->id != r->words[at + 1])
                continue;
            for (int d = 0; d < 3; d++) {
                if (mode == ZCS__MODE_LOCAL_SIZE)
                    entry->local_size[d] = r->words[at + 3 + d];
                else if (mode == ZCS__MODE_LOCAL_SIZE_ID)
                    zcs__constant_dimension(r, r->words[at + 3 + d], &entry->local_size[d],
                                            &entry->local_size_spec_id[d]);
            }
        }
    }
    const uint32_t *composite = zcs__def(r, workgroup_size);
    if (composite != NULL && (composite[0] >> 16) >= 6 &&
        ((composite[0] & 0xffffu) == ZCS__OP_CONSTANT_COMPOSITE ||
         (composite[0] & 0xffffu) == ZCS__OP_SPEC_CONSTANT_COMPOSITE)) {
        for (uint32_t e = 0; e < module->entry_count; e++) {
            for (int d = 0; d < 3; d++)
                zcs__constant_dimension(r, composite[3 + d], &module->entries[e].local_size[d],
                                        &module->entries[e].local_size_spec_id[d]);
        }
    }
    return ZCS_SUCCESS;
}

zcs_status zcs__spirv_parse(zcs_context *context, const uint32_t *words, size_t word_count,
                            zcs__spirv_module *out_module)
{
    memset(out_module, 0, sizeof *out_module);
    if (word_count < 5 || words[0] != ZCS__SPIRV_MAGIC)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "not a SPIR-V module: %s (the first word must be the magic number "
                         "0x07230203 in host byte order)",
                         word_count < 5 ? "shorter than the 5-word header" : "bad magic number");
    zcs__spirv_reader reader = {.words = words, .word_count = word_count, .bound = words[3]};
    if (reader.bound == 0 || reader.bound > (1u << 22))
        return zcs__fail(context, ZCS_ERROR_BUILD, 0, "malformed SPIR-V: id bound %u in the header",
                         reader.bound);
    /* One pass checks the instruction stream and records definitions and decorations. */
    reader.ids = zcs__calloc(reader.bound, sizeof *reader.ids);
    if (reader.ids == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "out of host memory reading a SPIR-V module of %u ids", reader.bound);
    for (uint32_t id = 0; id < reader.bound; id++) {
        reader.ids[id].spec_id = ZCS__NONE;
        reader.ids[id].binding = ZCS__NONE;
    }
    zcs_status status = ZCS_SUCCESS;
    for (uint32_t at = 5; at < word_count;) {
        uint32_t length = zcs__length(&reader, at);
        if (length == 0 || length > word_count - at) {
            status = zcs__fail(context, ZCS_ERROR_BUILD, 0,
                               "malformed SPIR-V: instruction at word %u has word count %u "
                               "(the module has %zu words)",
                               at, length, word_count);
            break;
        }
        uint32_t id = zcs__result_id(&reader, at);
        if (id != ZCS__NONE && id < reader.bound)
            reader.ids[id].def = at;
        if (zcs__opcode(&reader, at) == ZCS__OP_DECORATE && length >= 3 &&
            words[at + 1] < reader.bound) {
            zcs__spirv_id *target = &reader.ids[words[at + 1]];
            uint32_t decoration = words[at + 2];
            uint32_t literal = length >= 4 ? words[at + 3] : 0;
            if (decoration == ZCS__DECORATION_SPEC_ID)
                target->spec_id = literal;
            else if (decoration == ZCS__DECORATION_BINDING)
                target->binding = literal;
            else if (decoration == ZCS__DECORATION_DESCRIPTOR_SET)
                target->set = literal;
            else if (decoration == ZCS__DECORATION_ARRAY_STRIDE)
                target->array_stride = literal;
            else if (decoration == ZCS__DECORATION_BLOCK)
                target->block = 1;
            else if (decoration == ZCS__DECORATION_BUFFER_BLOCK)
                target->buffer_block = 1;
            else if (decoration == ZCS__DECORATION_BUILT_IN &&
                     literal == ZCS__BUILT_IN_WORKGROUP_SIZE)
                target->workgroup_size = 1;
        }
        at += length;
    }
    if (status == ZCS_SUCCESS)
        status = zcs__read_entries(context, &reader, out_module);
    if (status == ZCS_SUCCESS) {
        uint32_t compute_entries = 0;
        for (uint32_t e = 0; e < out_module->entry_count; e++)
            compute_entries += out_module->entries[e].execution_model == ZCS__MODEL_GL_COMPUTE;
        /* Declarations are module-wide; with several kernels they may belong to any. */
        if (compute_entries == 1 && zcs__reflect_params(&reader, out_module) != ZCS_SUCCESS)
            status = zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                               "out of host memory reading a SPIR-V module's parameters");
    }
    zcs__free(reader.ids);
    if (status != ZCS_SUCCESS)
        zcs__spirv_module_free(out_module);
    return status;
}

void zcs__spirv_module_free(zcs__spirv_module *module)
{
    zcs__free(module->params.kinds);
    zcs__free(module->params.value_offset);
    zcs__free(module->params.value_size);
    memset(&module->params, 0, sizeof module->params);
    zcs__free(module->entries);
    module->entries = NULL;
    module->entry_count = 0;
}

uint32_t *zcs__spirv_rename_entry(const uint32_t *words, size_t word_count, const char *from,
                                  const char *to, size_t *out_count)
{
    size_t to_length = strlen(to);
    size_t to_words = to_length / 4 + 1; /* with the terminating NUL */
    for (size_t at = 5; at < word_count;) {
        uint32_t length = words[at] >> 16;
        if (length == 0 || length > word_count - at)
            return NULL;
        if ((words[at] & 0xffffu) != ZCS__OP_ENTRY_POINT || length < 4) {
            at += length;
            continue;
        }
        /* The name starts at word 3, first character in the lowest-order byte of a word;
           the interface ids follow its last word. */
        size_t max_bytes = (size_t)(length - 3) * 4;
        size_t name_length = 0;
        int same = 1;
        for (; name_length < max_bytes; name_length++) {
            char c = (char)((words[at + 3 + name_length / 4] >> (8 * (name_length % 4))) & 0xffu);
            if (c == '\0')
                break;
            same &= from[name_length] == c;
            if (from[name_length] == '\0')
                same = 0;
        }
        if (name_length == max_bytes || !same || from[name_length] != '\0') {
            at += length;
            continue;
        }
        size_t name_words = name_length / 4 + 1;
        size_t new_length = length - name_words + to_words;
        if (new_length > 0xffffu)
            return NULL;
        size_t count = word_count - length + new_length;
        uint32_t *out = zcs__calloc(count, sizeof *out);
        if (out == NULL)
            return NULL;
        memcpy(out, words, at * sizeof *out);
        out[at] = (uint32_t)(new_length << 16) | ZCS__OP_ENTRY_POINT;
        out[at + 1] = words[at + 1];
        out[at + 2] = words[at + 2];
        for (size_t i = 0; i < to_length; i++) /* the rest of its words stays 0 */
            out[at + 3 + i / 4] |= (uint32_t)(unsigned char)to[i] << (8 * (i % 4));
        memcpy(&out[at + 3 + to_words], &words[at + 3 + name_words],
               (length - 3 - name_words) * sizeof *out);
        memcpy(&out[at + new_length], &words[at + length],
               (word_count - at - length) * sizeof *out);
        *out_count = count;
        return out;
    }
    return NULL;
}
