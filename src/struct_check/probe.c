/*
 * The struct check's probe, built on the public API (arrays, a program, a dispatch).
 * For a struct T with fields f0 .. f(n-1), zcs compiles the application's
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
#include <stdio.h>
#include <string.h>

#include "struct_check/internal.h"

/* The text of include/zcs/layout.h, embedded at build time (cmake/ZcsEmbed.cmake). */
extern const char zcs__layout_header_text[];

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

/* The name build logs give the declaration: desc->source_name, or a made-up one. Quotes
   and backslashes would end the #line string early: they become '_'. */
static void zcs__append_line_directive(zcs__text *text, const char *name)
{
    char clean[256];
    size_t i = 0;
    for (; name[i] != '\0' && i + 1 < sizeof clean; i++)
        clean[i] = name[i] == '"' || name[i] == '\\' || name[i] == '\n' ? '_' : name[i];
    clean[i] = '\0';
    zcs__text_appendf(text, "#line 1 \"%s\"\n", clean);
}

/* zcs/layout.h, then the declaration and then the probe, each under its own file name
   so that a build log points at the user's own lines. */
static void zcs__probe_prologue(zcs__text *text, const zcs_struct_desc *desc)
{
    char name[256];
    zcs__source_name(desc, name, sizeof name);
    zcs__append_line_directive(text, "zcs/layout.h");
    zcs__text_append(text, zcs__layout_header_text);
    zcs__append_line_directive(text, name);
    zcs__append_user_source(text, desc->source);
    zcs__text_appendf(text, "\n");
    snprintf(name, sizeof name, "layout probe zcs generated for %s", desc->name);
    zcs__append_line_directive(text, name);
}

/*
 * Kernel arguments of both probes: dst0 and dst1 (n elements: element k receives field k
 * of A), st0 and st1 (2 elements: element 1 receives the whole of B), a, b, the slot
 * size in bytes (each element of dst and st fits in one slot) and n. dst0 and st0 start
 * zeroed, dst1 and st1 filled with ZCS__PROBE_BACKGROUND: a byte that reads the same in
 * both was written by the probe.
 */
static void zcs__probe_opencl(zcs__text *text, const zcs_struct_desc *desc)
{
    zcs__probe_prologue(text, desc);
    const char *t = desc->name;
    zcs__text_appendf(
        text,
        "kernel void zcs_layout_probe(global uchar *dst0, global uchar *dst1, global uchar *st0,\n"
        "                             global uchar *st1, global const uchar *a,\n"
        "                             global const uchar *b, uint slot, uint n)\n"
        "{\n"
        "    uint i = (uint)get_global_id(0);\n"
        "    if (i > n)\n"
        "        return;\n"
        "    if (i == n) {\n"
        "        if (sizeof(%s) > (ulong)slot)\n"
        "            return;\n"
        "        for (size_t k = 0; k < sizeof(%s); k++) {\n"
        "            st0[sizeof(%s) + k] = b[k];\n"
        "            st1[sizeof(%s) + k] = b[k];\n"
        "        }\n"
        "        return;\n"
        "    }\n"
        "    if ((ulong)(i + 1) * sizeof(%s) > (ulong)slot * n)\n"
        "        return;\n"
        "    global %s *e = (global %s *)dst0 + i;\n"
        "    global uchar *field = (global uchar *)e;\n"
        "    size_t size = 0;\n"
        "    switch (i) {\n",
        t, t, t, t, t, t, t);
    for (size_t k = 0; k < desc->field_count; k++)
        zcs__text_appendf(text,
                          "    case %zu: field = (global uchar *)&e->%s; size = sizeof(e->%s); "
                          "break;\n",
                          k, desc->fields[k].name, desc->fields[k].name);
    zcs__text_appendf(text,
                      "    default: break;\n"
                      "    }\n"
                      "    size_t offset = (size_t)(field - (global uchar *)e);\n"
                      "    size_t base = (size_t)i * sizeof(%s);\n"
                      "    for (size_t k = 0; k < size; k++) {\n"
                      "        dst0[base + offset + k] = a[offset + k];\n"
                      "        dst1[base + offset + k] = a[offset + k];\n"
                      "    }\n"
                      "}\n",
                      t);
}

static void zcs__probe_glsl(zcs__text *text, const zcs_struct_desc *desc)
{
    zcs__text_append(text, "#version 450\n"
                           "#extension GL_GOOGLE_cpp_style_line_directive : enable\n");
    zcs__probe_prologue(text, desc);
    const char *t = desc->name;
    zcs__text_appendf(
        text,
        "layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;\n"
        "layout(std430, set = 0, binding = 0) buffer ZcsLayoutDst0 { %s zcs_dst0[]; };\n"
        "layout(std430, set = 0, binding = 1) buffer ZcsLayoutDst1 { %s zcs_dst1[]; };\n"
        "layout(std430, set = 0, binding = 2) buffer ZcsLayoutSt0 { %s zcs_st0[]; };\n"
        "layout(std430, set = 0, binding = 3) buffer ZcsLayoutSt1 { %s zcs_st1[]; };\n"
        "layout(std430, set = 0, binding = 4) readonly buffer ZcsLayoutA { %s zcs_a; };\n"
        "layout(std430, set = 0, binding = 5) readonly buffer ZcsLayoutB { %s zcs_b; };\n"
        "layout(push_constant, std430) uniform ZcsLayoutArgs { uint slot; uint n; } zcs_args;\n"
        "void main()\n"
        "{\n"
        "    uint i = gl_GlobalInvocationID.x;\n"
        "    if (i > zcs_args.n)\n"
        "        return;\n"
        "    if (i == zcs_args.n) {\n"
        "        if (zcs_st0.length() >= 2 && zcs_st1.length() >= 2) {\n"
        "            zcs_st0[1] = zcs_b;\n"
        "            zcs_st1[1] = zcs_b;\n"
        "        }\n"
        "        return;\n"
        "    }\n"
        "    if (i >= uint(zcs_dst0.length()) || i >= uint(zcs_dst1.length()))\n"
        "        return;\n"
        "    switch (i) {\n",
        t, t, t, t, t, t);
    for (size_t k = 0; k < desc->field_count; k++)
        zcs__text_appendf(
            text,
            "    case %zuu: zcs_dst0[%zu].%s = zcs_a.%s; zcs_dst1[%zu].%s = zcs_a.%s; "
            "break;\n",
            k, k, desc->fields[k].name, desc->fields[k].name, k, desc->fields[k].name,
            desc->fields[k].name);
    zcs__text_append(text, "    default: break;\n"
                           "    }\n"
                           "}\n");
}

/* The probe's device objects, released together. */
typedef struct zcs__probe {
    zcs_array *buffers[6]; /* dst0, dst1, st0, st1, a, b */
    zcs_program *program;
    zcs_kernel *kernel;
} zcs__probe;

/* Byte of dst1 and st1 before the probe runs: any value but 0 (dst0 and st0's). */
#define ZCS__PROBE_BACKGROUND 0xa5

static void zcs__probe_release(zcs__probe *probe)
{
    zcs_kernel_destroy(probe->kernel);
    zcs_program_destroy(probe->program);
    /* Free keeps the first failure's message: errors here are not reported. */
    for (size_t i = 0; i < sizeof probe->buffers / sizeof probe->buffers[0]; i++) {
        if (probe->buffers[i] != NULL)
            (void)zcs_array_destroy(probe->buffers[i]);
    }
}

/* Allocate `size` bytes and fill them with zeros (fill -1), the background (fill -2) or
   pattern A (0) or B (1). */
static zcs_status zcs__probe_buffer(zcs_context *context, size_t size, int fill,
                                    zcs_array **out_buffer)
{
    zcs_array *buffer = NULL;
    unsigned char *bytes = NULL;
    zcs_status status = zcs_array_create(context, 1, size, 0, &buffer);
    if (status != ZCS_SUCCESS)
        return status;
    status = zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&bytes);
    if (status == ZCS_SUCCESS) {
        for (size_t i = 0; i < size; i++)
            bytes[i] = fill == -1 ? 0 : fill == -2 ? ZCS__PROBE_BACKGROUND : zcs__pattern(i, fill);
        status = zcs_array_unmap(buffer);
    }
    if (status != ZCS_SUCCESS) {
        (void)zcs_array_destroy(buffer);
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

/* The two read-back copies of one probe array: a byte was written where they agree. */
typedef struct zcs__probe_image {
    const unsigned char *zero;       /* started as zeros */
    const unsigned char *background; /* started as ZCS__PROBE_BACKGROUND */
} zcs__probe_image;

static int zcs__written(const zcs__probe_image *image, size_t i)
{
    return image->zero[i] == image->background[i];
}

/* Compare what the probe wrote with the host's description. */
static zcs_status zcs__probe_compare(zcs_context *context, const zcs_struct_desc *desc,
                                     const zcs__probe_image *dst, const zcs__probe_image *st,
                                     size_t slot, size_t *out_device_size)
{
    const char *fn = "zcs_struct_check";
    size_t n = desc->field_count;
    int glsl = zcs__sc_glsl(context);

    /* Element 1 of st holds B: its first byte (every layout puts the first member at
       offset 0, and a copy writes it) is the device's array stride, sizeof(T). */
    size_t stride = 0;
    while (stride < 2 * slot && !zcs__written(st, stride))
        stride++;
    if (stride == 2 * slot)
        return zcs__fail_handle(
            context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
            "%s: struct \"%s\" is %zu bytes on the host but more than %zu bytes on "
            "the device (the probe's element did not fit)",
            fn, desc->name, desc->size, slot);
    if (stride == 0 || stride > slot)
        return zcs__fail_handle(
            context, ZCS_ERROR_BACKEND, 0,
            "%s: struct \"%s\": the layout probe gave inconsistent results (its "
            "second element starts at byte %zu)",
            fn, desc->name, stride);

    for (size_t k = 0; k < n; k++) {
        const zcs_field_desc *field = &desc->fields[k];
        size_t base = k * stride;
        size_t low = stride, high = 0;
        for (size_t i = 0; i < stride; i++) {
            if (!zcs__written(dst, base + i))
                continue;
            if (low == stride)
                low = i;
            high = i + 1;
        }
        if (low == stride)
            return zcs__fail_handle(
                context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                "%s: struct \"%s\": field \"%s\" (host offset %zu, size %zu) has "
                "no bytes on the device",
                fn, desc->name, field->name, field->offset, field->size);
        size_t device_offset = low;
        size_t device_size = high - low;
        int match = device_offset == field->offset && device_size == field->size;
        if (!match && glsl && device_offset == field->offset && device_size < field->size)
            match = field->offset + device_size >= zcs__host_value_end(desc, k);
        if (!match)
            return zcs__fail_handle(
                context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                "%s: struct \"%s\", field \"%s\": host offset %zu size %zu, device "
                "offset %zu size %zu%s",
                fn, desc->name, field->name, field->offset, field->size, device_offset, device_size,
                glsl && device_offset == field->offset && device_size < field->size
                    ? " (GLSL copies no trailing padding: if the field is a struct, "
                      "list its members too)"
                    : "");
        /* Same place and size: the bytes must be the host's too, or the two sides encode
           the value differently (a GLSL bool holds 1 in 32 bits where the host's byte
           held anything). */
        for (size_t i = low; i < high; i++) {
            unsigned char expected = zcs__pattern(i, 0);
            unsigned char got = dst->zero[base + i];
            if (zcs__written(dst, base + i) && got != expected)
                return zcs__fail_handle(
                    context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                    "%s: struct \"%s\", field \"%s\" (offset %zu, size %zu on both "
                    "sides): the device stores its value differently: a copy on "
                    "the device turned byte %zu from 0x%02x into 0x%02x (a type "
                    "the device converts, such as bool; docs/layout.md, rules)",
                    fn, desc->name, field->name, field->offset, field->size, i, expected, got);
        }
    }
    if (stride != desc->size)
        return zcs__fail_handle(
            context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
            "%s: struct \"%s\" is %zu bytes on the host but %zu bytes on the device "
            "(every listed field matches: the difference is in padding or in "
            "fields not listed)",
            fn, desc->name, desc->size, stride);
    /* The copy of the whole of B covers the fields not listed too: every byte it wrote
       must be B's. */
    for (size_t i = 0; i < stride; i++) {
        unsigned char expected = zcs__pattern(i, 1);
        if (zcs__written(st, stride + i) && st->zero[stride + i] != expected)
            return zcs__fail_handle(
                context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                "%s: struct \"%s\": the device stores byte %zu differently: a copy "
                "of the whole struct on the device turned 0x%02x into 0x%02x (every "
                "listed field matches: list the field at that offset; a type the "
                "device converts, such as bool, lies there)",
                fn, desc->name, i, expected, st->zero[stride + i]);
    }
    *out_device_size = stride;
    return ZCS_SUCCESS;
}

/* Map the two copies of a probe array (buffers[first], buffers[first + 1]) for reading. */
static zcs_status zcs__probe_map(zcs__probe *probe, size_t first, zcs__probe_image *out_image)
{
    void *zero = NULL, *background = NULL;
    zcs_status status = zcs_array_map(probe->buffers[first], ZCS_MAP_READ, &zero);
    if (status != ZCS_SUCCESS)
        return status;
    status = zcs_array_map(probe->buffers[first + 1], ZCS_MAP_READ, &background);
    if (status != ZCS_SUCCESS) {
        (void)zcs_array_unmap(probe->buffers[first]);
        return status;
    }
    out_image->zero = zero;
    out_image->background = background;
    return ZCS_SUCCESS;
}

static zcs_status zcs__probe_unmap(zcs__probe *probe, size_t first, zcs_status status)
{
    zcs_status unmap_first = zcs_array_unmap(probe->buffers[first]);
    zcs_status unmap_second = zcs_array_unmap(probe->buffers[first + 1]);
    if (status == ZCS_SUCCESS)
        status = unmap_first;
    if (status == ZCS_SUCCESS)
        status = unmap_second;
    return status;
}

zcs_status zcs__probe_run(zcs_context *context, const zcs_struct_desc *desc,
                          size_t *out_device_size)
{
    int glsl = zcs__sc_glsl(context);
    zcs__text text = {0};
    if (glsl)
        zcs__probe_glsl(&text, desc);
    else
        zcs__probe_opencl(&text, desc);
    if (text.failed) {
        zcs__free(text.data);
        return zcs__fail_handle(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                                "zcs_struct_check: out of host memory");
    }

    /* Room for a device element up to 4 times the host's, plus slack for alignment. */
    size_t slot = desc->size * 4 + 64;
    slot = (slot + 15) / 16 * 16;
    size_t n = desc->field_count;
    zcs__probe probe = {0};
    zcs_status status = zcs_program_create_from_source(context, text.data, text.length,
                                                       desc->options, &probe.program);
    zcs__free(text.data);
    if (status == ZCS_ERROR_BUILD)
        zcs__build_failure(context, desc);
    if (status == ZCS_SUCCESS)
        status =
            zcs_kernel_create(probe.program, glsl ? "main" : "zcs_layout_probe", &probe.kernel);
    /* dst0, dst1, st0, st1, a, b: sizes and initial contents. */
    const size_t sizes[6] = {slot * n, slot * n, 2 * slot, 2 * slot, slot, slot};
    const int fills[6] = {-1, -2, -1, -2, 0, 1};
    for (uint32_t i = 0; i < 6 && status == ZCS_SUCCESS; i++) {
        status = zcs__probe_buffer(context, sizes[i], fills[i], &probe.buffers[i]);
        if (status == ZCS_SUCCESS)
            status = zcs_kernel_set_array(probe.kernel, i, probe.buffers[i]);
    }
    uint32_t slot32 = (uint32_t)slot;
    uint32_t n32 = (uint32_t)n;
    if (status == ZCS_SUCCESS)
        status = zcs_kernel_set_value(probe.kernel, 6, sizeof slot32, &slot32);
    if (status == ZCS_SUCCESS)
        status = zcs_kernel_set_value(probe.kernel, 7, sizeof n32, &n32);
    size_t global = n + 1;
    if (status == ZCS_SUCCESS)
        status = zcs_dispatch(probe.kernel, 1, &global, NULL);
    zcs__probe_image dst, st;
    if (status == ZCS_SUCCESS)
        status = zcs__probe_map(&probe, 0, &dst);
    if (status == ZCS_SUCCESS) {
        status = zcs__probe_map(&probe, 2, &st);
        if (status == ZCS_SUCCESS) {
            status = zcs__probe_compare(context, desc, &dst, &st, slot, out_device_size);
            status = zcs__probe_unmap(&probe, 2, status);
        }
        status = zcs__probe_unmap(&probe, 0, status);
    }
    zcs__probe_release(&probe);
    return status;
}
