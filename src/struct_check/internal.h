/*
 * What the files of the struct check share (src/struct_check/). The layer sees the public
 * API (zcs/zcs.h, zcs/struct_check.h) and the core's services (core/services.h), never
 * the core's objects: every context, array, program and kernel here is a public handle.
 */
#ifndef ZCS_STRUCT_CHECK_INTERNAL_H
#define ZCS_STRUCT_CHECK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/services.h"
#include "zcs/struct_check.h"
#include "zcs/zcs.h"

/* Longest struct or field name the check takes, with its NUL. */
#define ZCS__SC_NAME_SIZE 128

/* ---- text.c ---- */

/* Seconds on a monotonic clock. */
double zcs__now_seconds(void);

/* FNV-1a over bytes, continuing from `hash`; a string's hash includes its NUL, and NULL
   hashes like "\xff". */
uint64_t zcs__hash_bytes(uint64_t hash, const void *data, size_t size);
uint64_t zcs__hash_string(uint64_t hash, const char *text);

/* A growable NUL-terminated string; zero-initialise it, free `data` when done. */
typedef struct zcs__text {
    char *data;
    size_t length;
    size_t capacity;
    int failed; /* out of memory: further appends do nothing */
} zcs__text;

void zcs__text_append_n(zcs__text *text, const char *piece, size_t length);
void zcs__text_append(zcs__text *text, const char *piece);
void zcs__text_appendf(zcs__text *text, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- check.c ---- */

/* 1 when `context`'s kernels are GLSL (Vulkan), 0 when OpenCL C. */
int zcs__sc_glsl(const zcs_context *context);

/* ---- declaration.c ---- */

/* Refuse a description whose fields, names or sizes cannot be checked. */
zcs_status zcs__check_desc(zcs_context *context, const zcs_struct_desc *desc);

/* Refuse a declaration that uses a type the rules forbid (docs/layout.md, rule 2). */
zcs_status zcs__check_forbidden_types(zcs_context *context, const zcs_struct_desc *desc);

/* The name build logs and messages give the declaration (desc->source_name or made up). */
void zcs__source_name(const zcs_struct_desc *desc, char *name, size_t size);

/* Turn the probe's build failure (this thread's message) into the struct check's, with a
   hint when the declaration defines a struct without the typedef C needs. */
void zcs__build_failure(zcs_context *context, const zcs_struct_desc *desc);

/* ---- probe.c ---- */

/* Build and run the probe; *out_device_size is the struct's size on the device. */
zcs_status zcs__probe_run(zcs_context *context, const zcs_struct_desc *desc,
                          size_t *out_device_size);

#endif /* ZCS_STRUCT_CHECK_INTERNAL_H */
