/**
 * @file
 * zcs/struct_check.h - check at run time that the host and the device lay a shared
 * struct out the same way.
 *
 * The struct is declared once with the types of <zcs/layout.h>, in a header that the
 * host includes and whose text zcs compiles for the device. zcs_struct_check builds a
 * probe kernel from that text, runs it on the context's device, reads the element
 * back and compares every registered field's offset and size, and the struct's size,
 * with what the host compiler chose. docs/layout.md has the rules and examples.
 *
 * Thread safety: zcs_struct_check may be called from several threads at once.
 * (Structs that point to other shared structs, zcs_array_device_address and
 * zcs_kernel_set_indirect, are declared in zcs/zcs.h.)
 */
#ifndef ZCS_STRUCT_CHECK_H
#define ZCS_STRUCT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "zcs/zcs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Struct layout check                                                       */
/* ------------------------------------------------------------------------ */

/** One field of a shared struct as the host compiler laid it out. */
typedef struct zcs_field_desc {
    /** The member designator as device code writes it after "element.": "mass",
       "inner.weight", "corners[2]", "items[1].id". Letters, digits, '_', '.', and
       [decimal index]. */
    const char *name;
    /** offsetof(T, member) on the host. */
    size_t offset;
    /** sizeof the member on the host. */
    size_t size;
} zcs_field_desc;

/** A zcs_field_desc for `member` of host type T (nested designators work: inner.weight). */
#define ZCS_FIELD(T, member)                                                                       \
    {                                                                                              \
#member, offsetof(T, member), sizeof(((T *)0)->member)                                     \
    }

/** Most fields one zcs_struct_desc may list. */
#define ZCS_MAX_STRUCT_FIELDS 1024
/** Largest struct zcs_struct_check takes, in bytes (the probe's patterns fit 32 bits). */
#define ZCS_MAX_STRUCT_SIZE (UINT32_MAX / 8 / (ZCS_MAX_STRUCT_FIELDS + 1))

/**
 * A shared struct: its name, size and fields on the host, and the text that declares it
 * for the device compiler. Zero-initialise it and fill every field marked "required".
 */
typedef struct zcs_struct_desc {
    /** Required. The struct's type name in device code (an identifier): ZCS_STRUCT(name). */
    const char *name;
    /** Required. sizeof(T) on the host. */
    size_t size;
    /** Required. The fields to check: 1 to ZCS_MAX_STRUCT_FIELDS entries, each lying within
       `size` bytes. List every field; for a field whose type is a struct with trailing
       padding, list its members too (docs/layout.md, "Nested structs on Vulkan"). */
    const zcs_field_desc *fields;
    size_t field_count; /**< Number of entries of `fields`. */
    /** Required. The declaration text, NUL-terminated: normally the very header the host
       includes. It is compiled as OpenCL C (OpenCL backend) or GLSL (Vulkan backend), after
       zcs's own copy of <zcs/layout.h>; lines that include "zcs/layout.h" are dropped
       from it (kept as empty lines, so build-log line numbers match the file). Other
       \#include lines resolve through `options` (-I dir, on both backends) or must be
       absent. Before the probe runs, the bodies of its structs and its typedefs (outside
       ZCS_LAYOUT_HOST sections) are searched for the types docs/layout.md forbids (bool,
       size_t, long, char, short, enum, bit-fields...): such a field is refused. */
    const char *source;
    /** Optional compiler options for the probe, as zcs_program_create_from_source takes
       them ("-I dir -D NAME=1"); NULL for none. */
    const char *options;
    /** Optional. The name build logs and messages give the declaration, normally its file
       name ("particles.h"): a compiler error reads "particles.h:12: ...". NULL: "declaration
       of <name>". */
    const char *source_name;
} zcs_struct_desc;

/**
 * A zcs_struct_desc for host type T named like the type, from a static array of fields:
 *   static const zcs_field_desc f[] = {ZCS_FIELD(node, value), ZCS_FIELD(node, next)};
 *   zcs_struct_desc d = ZCS_STRUCT_DESC(node, f, node_header_text);
 */
#define ZCS_STRUCT_DESC(T, field_array, source_text)                                               \
    {                                                                                              \
#T, sizeof(T), (field_array), sizeof(field_array) / sizeof((field_array)[0]),              \
            (source_text), NULL, NULL                                                              \
    }

/** What a check did and cost. */
typedef struct zcs_layout_report {
    /** 1 when an earlier successful check on this context already verified this exact
       description (same name, size, fields and source), so nothing ran on the device. */
    int cached;
    /** Wall-clock seconds this call took. */
    double seconds;
    /** Seconds the device check took when it ran (equal to `seconds` when not cached):
       building the probe, the dispatch and the read back. */
    double check_seconds;
    /** The struct's size on the device (its array stride). */
    size_t device_size;
    /** Fields compared. */
    size_t fields_checked;
} zcs_layout_report;

/**
 * Check that the device lays the struct out as the host does: same size, and each
 * listed field at the same offset with the same size. The first successful check of a
 * description on a context runs a probe on the device (a few milliseconds to a few
 * hundred, mostly the kernel build); later checks of the same description on that
 * context return at once with report->cached = 1. A failed check is not remembered.
 * The probe's arrays, program, map and dispatch appear in zcs_stats.
 *
 * out_report may be NULL; on failure it is left unchanged.
 *
 * Returns ZCS_SUCCESS,
 * ZCS_ERROR_LAYOUT_MISMATCH (the message names the struct and the first differing
 *   field, with the host offset and size and the device offset and size, or the two
 *   struct sizes; or a field the device stores in other bytes than the host at the same
 *   place, such as a GLSL bool; or a field of a type the rules forbid, with the line,
 *   why and what to use instead),
 * ZCS_ERROR_NULL_HANDLE (context, desc, desc->name, desc->fields or desc->source is NULL),
 * ZCS_ERROR_INVALID_HANDLE (context is not live),
 * ZCS_ERROR_INVALID_ARGUMENT (name not an identifier, a field name that is not a member
 *   designator, no fields or more than ZCS_MAX_STRUCT_FIELDS, size 0 or over
 *   ZCS_MAX_STRUCT_SIZE, a field of size 0 or past the struct's end),
 * ZCS_ERROR_BUILD (the device compiler refused the declaration or a field name; the
 *   message holds the build log, whose lines name desc->source_name and the
 *   declaration's own line numbers, and a hint for `struct NAME` declared without a
 *   typedef),
 * ZCS_ERROR_UNSUPPORTED (the backend cannot compile source at run time: Vulkan without
 *   a GLSL compiler),
 * ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_DISPATCH, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_struct_check(zcs_context *context, const zcs_struct_desc *desc,
                                    zcs_layout_report *out_report);

#ifdef __cplusplus
}
#endif

#endif /* ZCS_STRUCT_CHECK_H */
