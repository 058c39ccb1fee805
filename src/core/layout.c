/*
 * Struct layout checks (zcs_struct_check) and the backend-independent half of pointers
 * inside structs (zcs/zcs_layout.h).
 *
 * The probe. For a struct T with fields f0 .. f(n-1), zcs compiles the application's
 * declaration text (after its own copy of zcs/layout.h) with a generated kernel, in the
 * backend's language, over an array `dst` of n + 1 elements of T and two source
 * elements A and B that the host filled with byte patterns:
 *   work item k < n copies field fk from A into element k of dst
 *       (OpenCL: byte by byte over sizeof(e->fk) from &e->fk; GLSL: dst[k].fk = a.fk),
 *   work item n copies the whole of B into element n.
 * dst starts zeroed. Reading it back, the host finds the device's array stride (the
 * first B byte lies at n * stride: every layout puts the first member at offset 0) and,
 * in element k, the bytes that field fk covers on the device (its offset and size).
 * Every byte the device wrote must equal the pattern at its position within the element,
 * which checks the copy itself. No offsetof or sizeof is needed in the device language,
 * so one method serves OpenCL C and GLSL; only the copy differs.
 *
 * GLSL copies values, not bytes: the trailing padding of a struct-typed field is not
 * written, so there a field with listed members may cover less than its host size (down
 * to the end of its last listed member); see docs/layout.md.
 */
/* clock_gettime */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "backend_layout.h"
#include "core/checks.h"
#include "zcs/zcs_layout.h"

/* The text of include/zcs/layout.h, embedded at build time (cmake/embed_text.cmake). */
extern const char zcs__layout_header_text[];

/* ------------------------------------------------------------------------ */
/* Timing, hashing, a growable string                                        */
/* ------------------------------------------------------------------------ */

static double zcs__now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/* FNV-1a over bytes, continuing from `hash`. */
static uint64_t zcs__hash_bytes(uint64_t hash, const void *data, size_t size)
{
    const unsigned char *bytes = data;
    for (size_t i = 0; i < size; i++) {
        hash ^= bytes[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

static uint64_t zcs__hash_string(uint64_t hash, const char *text)
{
    /* The terminating NUL separates consecutive strings; NULL hashes like "\xff". */
    if (text == NULL)
        return zcs__hash_bytes(hash, "\xff", 1);
    return zcs__hash_bytes(hash, text, strlen(text) + 1);
}

static uint64_t zcs__desc_hash(const zcs_struct_desc *desc)
{
    uint64_t hash = 0xcbf29ce484222325ull;
    uint64_t size = desc->size;
    hash = zcs__hash_string(hash, desc->name);
    hash = zcs__hash_bytes(hash, &size, sizeof size);
    for (size_t i = 0; i < desc->field_count; i++) {
        uint64_t numbers[2] = {desc->fields[i].offset, desc->fields[i].size};
        hash = zcs__hash_string(hash, desc->fields[i].name);
        hash = zcs__hash_bytes(hash, numbers, sizeof numbers);
    }
    hash = zcs__hash_string(hash, desc->source);
    return zcs__hash_string(hash, desc->options);
}

typedef struct zcs__text {
    char *data;
    size_t length;
    size_t capacity;
    int failed; /* out of memory: further appends do nothing */
} zcs__text;

static void zcs__text_append_n(zcs__text *text, const char *piece, size_t length)
{
    if (text->failed)
        return;
    if (text->length + length + 1 > text->capacity) {
        size_t capacity = text->capacity != 0 ? text->capacity : 4096;
        while (text->length + length + 1 > capacity)
            capacity *= 2;
        char *data = zcs__malloc(capacity);
        if (data == NULL) {
            text->failed = 1;
            return;
        }
        if (text->data != NULL)
            memcpy(data, text->data, text->length);
        zcs__free(text->data);
        text->data = data;
        text->capacity = capacity;
    }
    memcpy(text->data + text->length, piece, length);
    text->length += length;
    text->data[text->length] = '\0';
}

static void zcs__text_append(zcs__text *text, const char *piece)
{
    zcs__text_append_n(text, piece, strlen(piece));
}

static void zcs__text_appendf(zcs__text *text, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void zcs__text_appendf(zcs__text *text, const char *format, ...)
{
    char piece[1024];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(piece, sizeof piece, format, args);
    va_end(args);
    if (length < 0 || (size_t)length >= sizeof piece) {
        text->failed = 1;
        return;
    }
    zcs__text_append_n(text, piece, (size_t)length);
}

/* ------------------------------------------------------------------------ */
/* The per-context cache of successful checks                                */
/* ------------------------------------------------------------------------ */

typedef struct zcs__layout_entry {
    struct zcs__layout_entry *next;
    const zcs_context *context;
    uint64_t hash;
    size_t size;
    char name[128];
    double check_seconds;
    size_t device_size;
} zcs__layout_entry;

static pthread_mutex_t zcs__layout_lock = PTHREAD_MUTEX_INITIALIZER;
static zcs__layout_entry *zcs__layout_entries;

static int zcs__layout_cache_find(const zcs_context *context, const zcs_struct_desc *desc,
                                  uint64_t hash, zcs__layout_entry *out_entry)
{
    int found = 0;
    pthread_mutex_lock(&zcs__layout_lock);
    for (zcs__layout_entry *entry = zcs__layout_entries; entry != NULL; entry = entry->next) {
        if (entry->context == context && entry->hash == hash && entry->size == desc->size &&
            strcmp(entry->name, desc->name) == 0) {
            *out_entry = *entry;
            found = 1;
            break;
        }
    }
    pthread_mutex_unlock(&zcs__layout_lock);
    return found;
}

/* Remember a successful check; a failure to allocate only loses the cache entry. */
static void zcs__layout_cache_add(const zcs_context *context, const zcs_struct_desc *desc,
                                  uint64_t hash, double check_seconds, size_t device_size)
{
    zcs__layout_entry *entry = zcs__calloc(1, sizeof *entry);
    if (entry == NULL)
        return;
    entry->context = context;
    entry->hash = hash;
    entry->size = desc->size;
    zcs__copy_string(entry->name, sizeof entry->name, desc->name);
    entry->check_seconds = check_seconds;
    entry->device_size = device_size;
    pthread_mutex_lock(&zcs__layout_lock);
    entry->next = zcs__layout_entries;
    zcs__layout_entries = entry;
    pthread_mutex_unlock(&zcs__layout_lock);
}

void zcs__layout_context_destroy(zcs_context *context)
{
    pthread_mutex_lock(&zcs__layout_lock);
    zcs__layout_entry **link = &zcs__layout_entries;
    while (*link != NULL) {
        zcs__layout_entry *entry = *link;
        if (entry->context == context) {
            *link = entry->next;
            zcs__free(entry);
        } else {
            link = &entry->next;
        }
    }
    pthread_mutex_unlock(&zcs__layout_lock);
}

/* ------------------------------------------------------------------------ */
/* Checking the description                                                  */
/* ------------------------------------------------------------------------ */

static int zcs__is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int zcs__is_ident_char(char c)
{
    return zcs__is_ident_start(c) || (c >= '0' && c <= '9');
}

static int zcs__is_identifier(const char *text)
{
    if (!zcs__is_ident_start(text[0]))
        return 0;
    for (const char *c = text; *c != '\0'; c++) {
        if (!zcs__is_ident_char(*c))
            return 0;
    }
    return (size_t)(strlen(text)) < sizeof(((zcs__layout_entry *)0)->name);
}

/* identifier ( "." identifier | "[" digits "]" )*, spaces allowed around brackets/dots. */
static int zcs__is_designator(const char *text)
{
    const char *c = text;
    int expect_identifier = 1;
    while (*c != '\0') {
        if (*c == ' ') {
            c++;
            continue;
        }
        if (expect_identifier) {
            if (!zcs__is_ident_start(*c))
                return 0;
            while (zcs__is_ident_char(*c))
                c++;
            expect_identifier = 0;
        } else if (*c == '.') {
            c++;
            expect_identifier = 1;
        } else if (*c == '[') {
            c++;
            while (*c == ' ')
                c++;
            if (!(*c >= '0' && *c <= '9'))
                return 0;
            while (*c >= '0' && *c <= '9')
                c++;
            while (*c == ' ')
                c++;
            if (*c != ']')
                return 0;
            c++;
        } else {
            return 0;
        }
    }
    return !expect_identifier && strlen(text) < 256;
}

static zcs_status zcs__check_desc(zcs_context *context, const zcs_struct_desc *desc)
{
    const char *fn = "zcs_struct_check";
    if (desc->name == NULL || desc->fields == NULL || desc->source == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "%s: desc->%s is NULL", fn,
                         desc->name == NULL     ? "name"
                         : desc->fields == NULL ? "fields"
                                                : "source");
    if (!zcs__is_identifier(desc->name))
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "%s: struct name \"%s\" is not an identifier of at most 127 "
                         "characters",
                         fn, desc->name);
    if (desc->size == 0)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0, "%s: struct \"%s\" has size 0", fn,
                         desc->name);
    if (desc->size > ZCS_MAX_STRUCT_SIZE)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "%s: struct \"%s\" of %zu bytes is too large to probe", fn, desc->name,
                         desc->size);
    if (desc->field_count == 0 || desc->field_count > ZCS_MAX_STRUCT_FIELDS)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "%s: struct \"%s\" lists %zu fields; list 1 to %d", fn, desc->name,
                         desc->field_count, ZCS_MAX_STRUCT_FIELDS);
    for (size_t i = 0; i < desc->field_count; i++) {
        const zcs_field_desc *field = &desc->fields[i];
        if (field->name == NULL)
            return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                             "%s: struct \"%s\": the name of field %zu is NULL", fn, desc->name, i);
        if (!zcs__is_designator(field->name))
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "%s: struct \"%s\": field name \"%s\" is not a member designator "
                             "(name, name.member, name[3])",
                             fn, desc->name, field->name);
        if (field->size == 0 || field->offset > desc->size ||
            field->size > desc->size - field->offset)
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "%s: struct \"%s\": field \"%s\" (offset %zu, size %zu) does not "
                             "lie within the struct's %zu bytes",
                             fn, desc->name, field->name, field->offset, field->size, desc->size);
    }
    return ZCS_SUCCESS;
}

/* ------------------------------------------------------------------------ */
/* The probe                                                                 */
/* ------------------------------------------------------------------------ */

/* Byte `position` of source element A (second = 0) or B (second = 1). Bytes of A lie in
   0x01..0x7f, of B in 0x81..0xff, never 0; the last byte of every 4 is 0x41 / 0xc1, so
   every float and double the patterns hold is a normal number (copies keep its bits). */
static unsigned char zcs__pattern(size_t position, int second)
{
    unsigned value =
        position % 4 == 3 ? 0x41u : 1u + (unsigned)((position * 7 + position / 4) % 0x7e);
    return (unsigned char)(second ? (value | 0x80u) : value);
}

/* Append `source` with every line that includes zcs/layout.h made empty. */
static void zcs__append_user_source(zcs__text *text, const char *source)
{
    const char *line = source;
    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
        const char *c = line;
        while (c < line + length && (*c == ' ' || *c == '\t'))
            c++;
        int drop = 0;
        if (c < line + length && *c == '#') {
            c++;
            while (c < line + length && (*c == ' ' || *c == '\t'))
                c++;
            if ((size_t)(line + length - c) > 7 && strncmp(c, "include", 7) == 0) {
                const char *rest = c + 7;
                size_t rest_length = (size_t)(line + length - rest);
                char copy[256];
                if (rest_length < sizeof copy) {
                    memcpy(copy, rest, rest_length);
                    copy[rest_length] = '\0';
                    drop = strstr(copy, "<zcs/layout.h>") != NULL ||
                           strstr(copy, "\"zcs/layout.h\"") != NULL;
                }
            }
        }
        if (!drop)
            zcs__text_append_n(text, line, length);
        zcs__text_append(text, "\n");
        line += length;
        if (*line == '\n')
            line++;
    }
}

static void zcs__probe_opencl(zcs__text *text, const zcs_struct_desc *desc)
{
    zcs__text_append(text, zcs__layout_header_text);
    zcs__text_append(text, "#line 1\n");
    zcs__append_user_source(text, desc->source);
    zcs__text_appendf(text,
                      "\n/* zcs layout probe for %s */\n"
                      "kernel void zcs_layout_probe(global uchar *dst, global const uchar *a,\n"
                      "                             global const uchar *b, uint dst_bytes, uint "
                      "n)\n"
                      "{\n"
                      "    uint i = (uint)get_global_id(0);\n"
                      "    if (i > n || (ulong)(i + 1) * sizeof(%s) > (ulong)dst_bytes)\n"
                      "        return;\n"
                      "    global %s *e = (global %s *)dst + i;\n"
                      "    global uchar *field = (global uchar *)e;\n"
                      "    size_t size = sizeof(%s);\n"
                      "    global const uchar *from = b;\n"
                      "    switch (i) {\n",
                      desc->name, desc->name, desc->name, desc->name, desc->name);
    for (size_t k = 0; k < desc->field_count; k++)
        zcs__text_appendf(text,
                          "    case %zu: field = (global uchar *)&e->%s; size = sizeof(e->%s); "
                          "from = a; break;\n",
                          k, desc->fields[k].name, desc->fields[k].name);
    zcs__text_append(text, "    default: break;\n"
                           "    }\n"
                           "    size_t offset = (size_t)(field - (global uchar *)e);\n"
                           "    for (size_t k = 0; k < size; k++)\n"
                           "        field[k] = from[offset + k];\n"
                           "}\n");
}

static void zcs__probe_glsl(zcs__text *text, const zcs_struct_desc *desc)
{
    zcs__text_append(text, "#version 450\n");
    zcs__text_append(text, zcs__layout_header_text);
    zcs__text_append(text, "#line 1\n");
    zcs__append_user_source(text, desc->source);
    zcs__text_appendf(text,
                      "\n/* zcs layout probe for %s */\n"
                      "layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) "
                      "in;\n"
                      "layout(std430, set = 0, binding = 0) buffer ZcsLayoutDst { %s zcs_dst[]; "
                      "};\n"
                      "layout(std430, set = 0, binding = 1) readonly buffer ZcsLayoutA { %s "
                      "zcs_a; };\n"
                      "layout(std430, set = 0, binding = 2) readonly buffer ZcsLayoutB { %s "
                      "zcs_b; };\n"
                      "layout(push_constant, std430) uniform ZcsLayoutArgs { uint dst_bytes; "
                      "uint n; } zcs_args;\n"
                      "void main()\n"
                      "{\n"
                      "    uint i = gl_GlobalInvocationID.x;\n"
                      "    if (i > zcs_args.n || i >= uint(zcs_dst.length()))\n"
                      "        return;\n"
                      "    switch (i) {\n",
                      desc->name, desc->name, desc->name, desc->name);
    for (size_t k = 0; k < desc->field_count; k++)
        zcs__text_appendf(text, "    case %zuu: zcs_dst[%zu].%s = zcs_a.%s; break;\n", k, k,
                          desc->fields[k].name, desc->fields[k].name);
    zcs__text_append(text, "    default: zcs_dst[i] = zcs_b; break;\n"
                           "    }\n"
                           "}\n");
}

/* The probe's device objects, released together. */
typedef struct zcs__probe {
    zcs_buffer *dst;
    zcs_buffer *a;
    zcs_buffer *b;
    zcs_program *program;
    zcs_kernel *kernel;
} zcs__probe;

static void zcs__probe_release(zcs__probe *probe)
{
    zcs_kernel_destroy(probe->kernel);
    zcs_program_destroy(probe->program);
    /* Free keeps the first failure's message: errors here are not reported. */
    if (probe->dst != NULL)
        (void)zcs_free(probe->dst);
    if (probe->a != NULL)
        (void)zcs_free(probe->a);
    if (probe->b != NULL)
        (void)zcs_free(probe->b);
}

/* Allocate `size` bytes and fill them with zeros (fill < 0) or pattern A or B. */
static zcs_status zcs__probe_buffer(zcs_context *context, size_t size, int fill,
                                    zcs_buffer **out_buffer)
{
    zcs_buffer *buffer = NULL;
    unsigned char *bytes = NULL;
    zcs_status status = zcs_alloc(context->handle, 1, size, 0, &buffer);
    if (status != ZCS_SUCCESS)
        return status;
    status = zcs_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&bytes);
    if (status == ZCS_SUCCESS) {
        for (size_t i = 0; i < size; i++)
            bytes[i] = fill < 0 ? 0 : zcs__pattern(i, fill);
        status = zcs_unmap(buffer);
    }
    if (status != ZCS_SUCCESS) {
        (void)zcs_free(buffer);
        return status;
    }
    *out_buffer = buffer;
    return ZCS_SUCCESS;
}

/*
 * The bytes of a field on the device may, on GLSL, stop short of its host size by the
 * trailing padding of a struct: accept down to the end of the last listed member inside it.
 */
static size_t zcs__host_value_end(const zcs_struct_desc *desc, size_t index)
{
    const zcs_field_desc *field = &desc->fields[index];
    size_t name_length = strlen(field->name);
    size_t end = 0;
    int has_members = 0;
    for (size_t j = 0; j < desc->field_count; j++) {
        const zcs_field_desc *other = &desc->fields[j];
        if (j == index || strncmp(other->name, field->name, name_length) != 0 ||
            (other->name[name_length] != '.' && other->name[name_length] != '['))
            continue;
        has_members = 1;
        if (other->offset + other->size > end)
            end = other->offset + other->size;
    }
    return has_members ? end : field->offset + field->size;
}

/* Compare the read-back image with the host's description. */
static zcs_status zcs__probe_compare(zcs_context *context, const zcs_struct_desc *desc,
                                     const unsigned char *image, size_t image_size,
                                     size_t *out_device_size)
{
    const char *fn = "zcs_struct_check";
    size_t n = desc->field_count;
    size_t first_b = image_size;
    for (size_t i = 0; i < image_size; i++) {
        if (image[i] >= 0x80) {
            first_b = i;
            break;
        }
    }
    if (first_b == image_size)
        return zcs__fail(context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                         "%s: struct \"%s\" is %zu bytes on the host but more than %zu bytes on "
                         "the device (the probe's element did not fit)",
                         fn, desc->name, desc->size, image_size / (n + 1));
    if (first_b % n != 0)
        return zcs__fail(context, ZCS_ERROR_BACKEND, 0,
                         "%s: struct \"%s\": the layout probe gave inconsistent results (element "
                         "%zu starts at byte %zu)",
                         fn, desc->name, n, first_b);
    size_t stride = first_b / n;
    int glsl = zcs__backend_layout_language == ZCS__LAYOUT_LANG_GLSL;

    for (size_t k = 0; k < n; k++) {
        const zcs_field_desc *field = &desc->fields[k];
        const unsigned char *element = image + k * stride;
        size_t low = stride, high = 0;
        for (size_t i = 0; i < stride; i++) {
            if (element[i] == 0)
                continue;
            if (element[i] != zcs__pattern(i, 0))
                return zcs__fail(context, ZCS_ERROR_BACKEND, 0,
                                 "%s: struct \"%s\": the layout probe of field \"%s\" wrote "
                                 "0x%02x at byte %zu, expected 0x%02x",
                                 fn, desc->name, field->name, element[i], i, zcs__pattern(i, 0));
            if (low == stride)
                low = i;
            high = i + 1;
        }
        if (low == stride)
            return zcs__fail(context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                             "%s: struct \"%s\": field \"%s\" (host offset %zu, size %zu) has "
                             "no bytes on the device",
                             fn, desc->name, field->name, field->offset, field->size);
        size_t device_offset = low;
        size_t device_size = high - low;
        int match = device_offset == field->offset && device_size == field->size;
        if (!match && glsl && device_offset == field->offset && device_size < field->size)
            match = field->offset + device_size >= zcs__host_value_end(desc, k);
        if (!match)
            return zcs__fail(context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                             "%s: struct \"%s\", field \"%s\": host offset %zu size %zu, device "
                             "offset %zu size %zu%s",
                             fn, desc->name, field->name, field->offset, field->size, device_offset,
                             device_size,
                             glsl && device_offset == field->offset && device_size < field->size
                                 ? " (GLSL copies no trailing padding: if the field is a struct, "
                                   "list its members too)"
                                 : "");
    }
    if (stride != desc->size)
        return zcs__fail(context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                         "%s: struct \"%s\" is %zu bytes on the host but %zu bytes on the device "
                         "(every listed field matches: the difference is in padding or in "
                         "fields not listed)",
                         fn, desc->name, desc->size, stride);
    *out_device_size = stride;
    return ZCS_SUCCESS;
}

static zcs_status zcs__probe_run(zcs_context *context, const zcs_struct_desc *desc,
                                 size_t *out_device_size)
{
    int glsl = zcs__backend_layout_language == ZCS__LAYOUT_LANG_GLSL;
    zcs__text text = {0};
    if (glsl)
        zcs__probe_glsl(&text, desc);
    else
        zcs__probe_opencl(&text, desc);
    if (text.failed) {
        zcs__free(text.data);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_struct_check: out of host memory");
    }

    /* Room for a device element up to 4 times the host's, plus slack for alignment. */
    size_t slot = desc->size * 4 + 64;
    slot = (slot + 15) / 16 * 16;
    size_t n = desc->field_count;
    size_t dst_bytes = slot * (n + 1);
    zcs__probe probe = {0};
    zcs_status status = zcs_program_create_from_source(context->handle, text.data, text.length,
                                                       desc->options, &probe.program);
    zcs__free(text.data);
    if (status == ZCS_ERROR_BUILD) {
        /* Prefix the build failure's message (a copy: it lives in the buffer rewritten). */
        size_t length = strlen(zcs_last_error());
        char *log = zcs__malloc(length + 1);
        if (log != NULL) {
            memcpy(log, zcs_last_error(), length + 1);
            zcs__fail(context, status, zcs_context_last_backend_error(context->handle),
                      "zcs_struct_check: struct \"%s\": the device compiler refused the "
                      "declaration or a field name:\n%s",
                      desc->name, log);
            zcs__free(log);
        }
    }
    if (status == ZCS_SUCCESS)
        status =
            zcs_kernel_create(probe.program, glsl ? "main" : "zcs_layout_probe", &probe.kernel);
    if (status == ZCS_SUCCESS)
        status = zcs__probe_buffer(context, dst_bytes, -1, &probe.dst);
    if (status == ZCS_SUCCESS)
        status = zcs__probe_buffer(context, slot, 0, &probe.a);
    if (status == ZCS_SUCCESS)
        status = zcs__probe_buffer(context, slot, 1, &probe.b);
    uint32_t dst_bytes32 = (uint32_t)dst_bytes;
    uint32_t n32 = (uint32_t)n;
    if (status == ZCS_SUCCESS)
        status = zcs_kernel_set_buffer(probe.kernel, 0, probe.dst);
    if (status == ZCS_SUCCESS)
        status = zcs_kernel_set_buffer(probe.kernel, 1, probe.a);
    if (status == ZCS_SUCCESS)
        status = zcs_kernel_set_buffer(probe.kernel, 2, probe.b);
    if (status == ZCS_SUCCESS)
        status = zcs_kernel_set_value(probe.kernel, 3, sizeof dst_bytes32, &dst_bytes32);
    if (status == ZCS_SUCCESS)
        status = zcs_kernel_set_value(probe.kernel, 4, sizeof n32, &n32);
    size_t global = n + 1;
    if (status == ZCS_SUCCESS)
        status = zcs_dispatch(probe.kernel, 1, &global, NULL);
    const unsigned char *image = NULL;
    if (status == ZCS_SUCCESS)
        status = zcs_map(probe.dst, ZCS_MAP_READ, (void **)&image);
    if (status == ZCS_SUCCESS) {
        status = zcs__probe_compare(context, desc, image, dst_bytes, out_device_size);
        zcs_status unmap_status = zcs_unmap(probe.dst);
        if (status == ZCS_SUCCESS)
            status = unmap_status;
    }
    zcs__probe_release(&probe);
    return status;
}

zcs_status zcs_struct_check(zcs_context *context_handle, const zcs_struct_desc *desc,
                            zcs_layout_report *out_report)
{
    double start = zcs__now_seconds();
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_struct_check");
    if (desc == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "zcs_struct_check: desc is NULL");
    zcs_status status = zcs__check_desc(context, desc);
    if (status != ZCS_SUCCESS)
        return status;

    uint64_t hash = zcs__desc_hash(desc);
    zcs__layout_entry cached;
    zcs_layout_report report = {0};
    report.fields_checked = desc->field_count;
    if (zcs__layout_cache_find(context, desc, hash, &cached)) {
        report.cached = 1;
        report.check_seconds = cached.check_seconds;
        report.device_size = cached.device_size;
    } else {
        size_t device_size = 0;
        status = zcs__probe_run(context, desc, &device_size);
        if (status != ZCS_SUCCESS)
            return status;
        report.check_seconds = zcs__now_seconds() - start;
        report.device_size = device_size;
        zcs__layout_cache_add(context, desc, hash, report.check_seconds, device_size);
    }
    report.seconds = zcs__now_seconds() - start;
    if (out_report != NULL)
        *out_report = report;
    return ZCS_SUCCESS;
}

/* ------------------------------------------------------------------------ */
/* Pointers inside structs                                                   */
/* ------------------------------------------------------------------------ */

zcs_status zcs_buffer_device_address(zcs_buffer *handle, uint64_t *out_address)
{
    ZCS__CLAIM(zcs_buffer, buffer, handle, ZCS__MAGIC_BUFFER, 1, "buffer",
               "zcs_buffer_device_address");
    zcs_status status = out_address == NULL
                            ? zcs__fail(buffer->context, ZCS_ERROR_NULL_HANDLE, 0,
                                        "zcs_buffer_device_address: out_address is NULL")
                            : zcs__backend_buffer_device_address(buffer, out_address);
    zcs__handle_release(handle);
    return status;
}

static zcs_status zcs__set_indirect(zcs_kernel *kernel, zcs_buffer *const *handles, size_t count)
{
    zcs_context *context = kernel->context;
    if (count > ZCS_MAX_KERNEL_ARGS)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_kernel_set_indirect: %zu arrays; at most %d", count,
                         ZCS_MAX_KERNEL_ARGS);
    if (count > 0 && handles == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_kernel_set_indirect: buffers is NULL");
    for (size_t i = 0; i < count; i++) {
        if (handles[i] == NULL)
            return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                             "zcs_kernel_set_indirect: buffer %zu is NULL", i);
        if (zcs__handle_foreign(handles[i], ZCS__MAGIC_BUFFER, context))
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "zcs_kernel_set_indirect: array %zu belongs to another context", i);
    }
    /* Under the context lock, which a free takes to retire a handle: the arrays stay alive
       while the backend reads them. */
    zcs_buffer *buffers[ZCS_MAX_KERNEL_ARGS];
    pthread_mutex_lock(&context->lock);
    for (size_t i = 0; i < count; i++) {
        buffers[i] = zcs__handle_lookup(handles[i], ZCS__MAGIC_BUFFER);
        if (buffers[i] == NULL) {
            pthread_mutex_unlock(&context->lock);
            return zcs__fail(context, ZCS_ERROR_INVALID_HANDLE, 0,
                             "zcs_kernel_set_indirect: array %zu is not a live buffer handle", i);
        }
    }
    zcs_status status = zcs__backend_kernel_set_indirect(kernel, buffers, count);
    if (status == ZCS_SUCCESS) {
        /* zcs_dispatch orders and checks these like array arguments. */
        for (size_t i = 0; i < count; i++) {
            kernel->indirect[i] = buffers[i];
            kernel->indirect_handles[i] = handles[i];
        }
        kernel->indirect_count = (uint32_t)count;
    }
    pthread_mutex_unlock(&context->lock);
    return status;
}

zcs_status zcs_kernel_set_indirect(zcs_kernel *kernel_handle, zcs_buffer *const *buffers,
                                   size_t count)
{
    ZCS__CLAIM(zcs_kernel, kernel, kernel_handle, ZCS__MAGIC_KERNEL, 1, "kernel",
               "zcs_kernel_set_indirect");
    zcs_status status = zcs__set_indirect(kernel, buffers, count);
    zcs__handle_release(kernel_handle);
    return status;
}
