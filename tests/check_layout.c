/*
 * Struct layout checks (zcs_struct_check): matching structs pass, each kind of mismatch
 * is caught with the right field named, forbidden types are refused, and build errors
 * name the user's lines. Runs once per backend, on the automatic tier: the probe maps and
 * dispatches through the same paths the array and kernel suites check on every tier.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zcs/struct_check.h>

#include <zcs/particle.h>

#include "layout/shapes.h"
#include "support/zcs_test.h"

/* The library's embedded copy of include/zcs/layout.h (generated at build time). */
extern const char zcs__layout_header_text[];

/* Read a file of the source tree into a NUL-terminated heap string. */
static int is_opencl(void)
{
    return zcs_test_backend() == ZCS_BACKEND_OPENCL;
}

/* Check `fields` of the struct declared in tests/layout/<file> and expect a match. */
static void expect_match(zcs_context *context, const char *name, size_t size,
                         const zcs_field_desc *fields, size_t count, const char *file)
{
    char *source = zcs_test_read_source(file);
    zcs_struct_desc desc = {name, size, fields, count, source, NULL, NULL};
    zcs_layout_report report;
    memset(&report, 0xff, sizeof report);
    ZCS_CK(zcs_struct_check(context, &desc, &report));
    ck_assert_int_eq(report.cached, 0);
    ck_assert_uint_eq(report.device_size, size);
    ck_assert_uint_eq(report.fields_checked, count);
    ck_assert(report.seconds >= 0.0 && report.check_seconds >= 0.0);
    printf("zcs_struct_check(%s): %zu fields, %zu bytes, %.3f ms\n", name, count, size,
           report.check_seconds * 1e3);
    free(source);
}

#define EXPECT_MATCH(context, T, fields)                                                           \
    expect_match((context), #T, sizeof(T), (fields), sizeof(fields) / sizeof((fields)[0]),         \
                 "tests/layout/shapes.h")

START_TEST(embedded_header_matches_the_file)
{
    /* The build embeds include/zcs/layout.h; the probes compile exactly that text. */
    char *file = zcs_test_read_source("include/zcs/layout.h");
    ck_assert_str_eq(zcs__layout_header_text, file);
    free(file);
}
END_TEST

START_TEST(scalars_and_64_bit_fields_match)
{
    zcs_context *context = zcs_test_context();
    static const zcs_field_desc fields[] = {
        ZCS_FIELD(lt_scalars, id),     ZCS_FIELD(lt_scalars, delta),
        ZCS_FIELD(lt_scalars, weight), ZCS_FIELD(lt_scalars, pad0),
        ZCS_FIELD(lt_scalars, big),    ZCS_FIELD(lt_scalars, signed_big),
    };
    EXPECT_MATCH(context, lt_scalars, fields);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(vectors_match)
{
    zcs_context *context = zcs_test_context();
    static const zcs_field_desc fields[] = {
        ZCS_FIELD(lt_vectors, color),  ZCS_FIELD(lt_vectors, uv),
        ZCS_FIELD(lt_vectors, normal), ZCS_FIELD(lt_vectors, normal.z),
        ZCS_FIELD(lt_vectors, flags),  ZCS_FIELD(lt_vectors, ids),
        ZCS_FIELD(lt_vectors, deltas), ZCS_FIELD(lt_vectors, cell),
        ZCS_FIELD(lt_vectors, range),  ZCS_FIELD(lt_vectors, pad1),
    };
    EXPECT_MATCH(context, lt_vectors, fields);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(nested_structs_and_fixed_arrays_match)
{
    zcs_context *context = zcs_test_context();
    static const zcs_field_desc fields[] = {
        ZCS_FIELD(lt_nested, kind),
        ZCS_FIELD(lt_nested, stamp),
        ZCS_FIELD(lt_nested, inner),
        ZCS_FIELD(lt_nested, inner.weight),
        ZCS_FIELD(lt_nested, inner.tags),
        ZCS_FIELD(lt_nested, inner.tags[2]),
        ZCS_FIELD(lt_nested, pair),
        ZCS_FIELD(lt_nested, pair[1]),
        ZCS_FIELD(lt_nested, pair[1].tags[1]),
        ZCS_FIELD(lt_nested, matrix),
        ZCS_FIELD(lt_nested, matrix[1]),
        ZCS_FIELD(lt_nested, matrix[1][2]),
        ZCS_FIELD(lt_nested, pad1),
    };
    EXPECT_MATCH(context, lt_nested, fields);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(struct_inside_a_struct_array_matches)
{
    zcs_context *context = zcs_test_context();
    static const zcs_field_desc fields[] = {
        ZCS_FIELD(lt_bag, count),
        ZCS_FIELD(lt_bag, items),
        ZCS_FIELD(lt_bag, items[0].position),
        ZCS_FIELD(lt_bag, items[1].inner),
        ZCS_FIELD(lt_bag, items[2].inner.tags[2]),
        ZCS_FIELD(lt_bag, total),
    };
    EXPECT_MATCH(context, lt_bag, fields);
    /* The element struct on its own, as an array of it would be allocated. */
    static const zcs_field_desc item_fields[] = {
        ZCS_FIELD(lt_item, position), ZCS_FIELD(lt_item, inner), ZCS_FIELD(lt_item, inner.tags)};
    EXPECT_MATCH(context, lt_item, item_fields);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(trailing_padding_of_a_nested_struct_matches)
{
    zcs_context *context = zcs_test_context();
    /* On GLSL the copy of `tail` writes 12 of its 16 bytes; listing its members says
       where its data ends. */
    static const zcs_field_desc fields[] = {
        ZCS_FIELD(lt_holds_tail, tail),
        ZCS_FIELD(lt_holds_tail, tail.x),
        ZCS_FIELD(lt_holds_tail, tail.y),
        ZCS_FIELD(lt_holds_tail, after),
    };
    EXPECT_MATCH(context, lt_holds_tail, fields);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(public_particle_header_matches_the_device)
{
    /* include/zcs/particle.h, installed: the struct of the builtin particles_advance. */
    zcs_context *context = zcs_test_context();
    static const zcs_field_desc fields[] = {
        ZCS_FIELD(zcs_particle, position), ZCS_FIELD(zcs_particle, mass),
        ZCS_FIELD(zcs_particle, velocity), ZCS_FIELD(zcs_particle, age),
        ZCS_FIELD(zcs_particle, id),       ZCS_FIELD(zcs_particle, bounces),
        ZCS_FIELD(zcs_particle, reserved),
    };
    expect_match(context, "zcs_particle", sizeof(zcs_particle), fields,
                 sizeof fields / sizeof fields[0], "include/zcs/particle.h");
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(second_check_is_cached)
{
    zcs_context *context = zcs_test_context();
    char *source = zcs_test_read_source("tests/layout/shapes.h");
    static const zcs_field_desc fields[] = {ZCS_FIELD(lt_inner, weight), ZCS_FIELD(lt_inner, tags)};
    zcs_struct_desc desc = ZCS_STRUCT_DESC(lt_inner, fields, source);
    zcs_layout_report first, second;
    zcs_stats before, after;
    ZCS_CK(zcs_struct_check(context, &desc, &first));
    ck_assert_int_eq(first.cached, 0);
    ZCS_CK(zcs_stats_get(context, &before));
    ck_assert_uint_eq(before.dispatches, 1);
    ZCS_CK(zcs_struct_check(context, &desc, &second));
    ZCS_CK(zcs_stats_get(context, &after));
    ck_assert_int_eq(second.cached, 1);
    ck_assert(second.check_seconds == first.check_seconds);
    ck_assert(second.seconds <= first.seconds);
    ck_assert_uint_eq(second.device_size, sizeof(lt_inner));
    ck_assert_uint_eq(after.dispatches, before.dispatches);
    ck_assert_uint_eq(after.allocations, before.allocations);
    ZCS_CK(zcs_struct_check(context, &desc, NULL));
    printf("lt_inner: first check %.3f ms, cached check %.6f ms\n", first.seconds * 1e3,
           second.seconds * 1e3);

    /* Another description of the same name is checked again. */
    static const zcs_field_desc one_field[] = {ZCS_FIELD(lt_inner, tags)};
    zcs_struct_desc other = ZCS_STRUCT_DESC(lt_inner, one_field, source);
    ZCS_CK(zcs_struct_check(context, &other, &second));
    ck_assert_int_eq(second.cached, 0);
    free(source);
    zcs_test_context_destroy(context);
}
END_TEST

/* Expect the check of host struct `name` against `device_source` to fail naming `field`. */
static void expect_mismatch(const char *name, size_t size, const zcs_field_desc *fields,
                            size_t count, const char *device_source, const char *const *needles)
{
    zcs_context *context = zcs_test_context();
    zcs_struct_desc desc = {name, size, fields, count, device_source, NULL, NULL};
    for (int attempt = 0; attempt < 2; attempt++) {
        /* A failed check is not cached: the second attempt fails the same way. */
        ZCS_CK_STATUS(zcs_struct_check(context, &desc, NULL), ZCS_ERROR_LAYOUT_MISMATCH);
        const char *message = zcs_last_error();
        for (const char *const *needle = needles; *needle != NULL; needle++)
            ck_assert_msg(strstr(message, *needle) != NULL, "\"%s\" not in the message: %s",
                          *needle, message);
        ck_assert_str_eq(zcs_context_last_error(context), message);
    }
    printf("caught: %s\n", zcs_last_error());
    zcs_test_context_destroy(context);
}

#define EXPECT_MISMATCH(T, fields, device_source, ...)                                             \
    do {                                                                                           \
        static const char *const needles_[] = {__VA_ARGS__, NULL};                                 \
        expect_mismatch(#T, sizeof(T), (fields), sizeof(fields) / sizeof((fields)[0]),             \
                        (device_source), needles_);                                                \
    } while (0)

typedef struct mm_float3 {
    float a;
    float v[3];
    float w;
} mm_float3;

START_TEST(float3_against_float_array_is_caught)
{
    static const zcs_field_desc fields[] = {ZCS_FIELD(mm_float3, a), ZCS_FIELD(mm_float3, v),
                                            ZCS_FIELD(mm_float3, w)};
    if (is_opencl())
        EXPECT_MISMATCH(mm_float3, fields,
                        "ZCS_STRUCT(mm_float3) { float a; float3 v; float w; };\n", "\"mm_float3\"",
                        "field \"v\"", "host offset 4 size 12", "device offset 16 size 16");
    else
        EXPECT_MISMATCH(mm_float3, fields, "ZCS_STRUCT(mm_float3) { float a; vec3 v; float w; };\n",
                        "\"mm_float3\"", "field \"v\"", "host offset 4 size 12",
                        "device offset 16 size 12");
}
END_TEST

/* The host packs the 64-bit field right after the 32-bit one; the device pads. */
#pragma pack(push, 4)
typedef struct mm_packed {
    uint32_t a;
    uint64_t b;
} mm_packed;
#pragma pack(pop)

START_TEST(missing_padding_before_a_64_bit_field_is_caught)
{
    static const zcs_field_desc fields[] = {ZCS_FIELD(mm_packed, a), ZCS_FIELD(mm_packed, b)};
    EXPECT_MISMATCH(mm_packed, fields,
                    "#include \"zcs/layout.h\"\nZCS_STRUCT(mm_packed) { zcs_u32 a; zcs_u64 b; };\n",
                    "field \"b\"", "host offset 4 size 8", "device offset 8 size 8");
}
END_TEST

typedef struct mm_long {
    long count;
    uint32_t x;
    uint32_t y;
} mm_long;

START_TEST(long_against_int_is_caught)
{
    static const zcs_field_desc fields[] = {ZCS_FIELD(mm_long, count), ZCS_FIELD(mm_long, x),
                                            ZCS_FIELD(mm_long, y)};
    ck_assert_uint_eq(sizeof(long), 8); /* LP64 hosts */
    EXPECT_MISMATCH(mm_long, fields, "ZCS_STRUCT(mm_long) { int count; uint x; uint y; };\n",
                    "field \"count\"", "host offset 0 size 8", "device offset 0 size 4");
}
END_TEST

typedef struct mm_order {
    float a;
    uint32_t b;
    uint32_t c;
} mm_order;

START_TEST(reordered_field_is_caught)
{
    static const zcs_field_desc fields[] = {ZCS_FIELD(mm_order, a), ZCS_FIELD(mm_order, b),
                                            ZCS_FIELD(mm_order, c)};
    EXPECT_MISMATCH(mm_order, fields,
                    "ZCS_STRUCT(mm_order) { zcs_u32 b; zcs_f32 a; zcs_u32 c; };\n", "field \"a\"",
                    "host offset 0 size 4", "device offset 4 size 4");
}
END_TEST

typedef struct mm_size {
    float a;
    float b;
    float c;
    uint32_t pad;
} mm_size;

START_TEST(wrong_total_size_is_caught)
{
    static const zcs_field_desc fields[] = {ZCS_FIELD(mm_size, a), ZCS_FIELD(mm_size, b),
                                            ZCS_FIELD(mm_size, c)};
    EXPECT_MISMATCH(mm_size, fields, "ZCS_STRUCT(mm_size) { zcs_f32 a; zcs_f32 b; zcs_f32 c; };\n",
                    "\"mm_size\" is 16 bytes on the host but 12 bytes on the device");
}
END_TEST

/* ---- types the rules forbid, and fields the device stores differently ---- */

typedef struct mm_bool {
    bool alive;
    uint32_t count;
} mm_bool;

typedef struct mm_bools {
    bool alive;
    bool dirty;
    uint32_t count;
} mm_bools;

/* Check `desc` and expect ZCS_ERROR_LAYOUT_MISMATCH with every needle in the message. */
static void expect_refused(const zcs_struct_desc *desc, const char *const *needles)
{
    zcs_context *context = zcs_test_context();
    ZCS_CK_STATUS(zcs_struct_check(context, desc, NULL), ZCS_ERROR_LAYOUT_MISMATCH);
    for (const char *const *needle = needles; *needle != NULL; needle++)
        ck_assert_msg(strstr(zcs_last_error(), *needle) != NULL, "\"%s\" not in the message: %s",
                      *needle, zcs_last_error());
    printf("refused: %s\n", zcs_last_error());
    zcs_test_context_destroy(context);
}

START_TEST(bool_fields_are_refused)
{
    /* Vulkan passed the first (GLSL's 32-bit bool read true for every host false) and
       answered ZCS_ERROR_BACKEND for the second. */
    static const zcs_field_desc fields[] = {ZCS_FIELD(mm_bool, alive), ZCS_FIELD(mm_bool, count)};
    zcs_struct_desc desc = ZCS_STRUCT_DESC(mm_bool, fields,
                                           "#include \"zcs/layout.h\"\n"
                                           "ZCS_STRUCT(mm_bool)\n"
                                           "{\n"
                                           "    bool alive;\n"
                                           "    zcs_u32 count;\n"
                                           "};\n");
    desc.source_name = "flags.h";
    static const char *const needles[] = {"\"mm_bool\"", "flags.h:4", "field \"alive\"",
                                          "type bool",   "zcs_u32",   NULL};
    expect_refused(&desc, needles);

    static const zcs_field_desc two[] = {ZCS_FIELD(mm_bools, alive), ZCS_FIELD(mm_bools, dirty),
                                         ZCS_FIELD(mm_bools, count)};
    zcs_struct_desc desc_two = ZCS_STRUCT_DESC(
        mm_bools, two, "ZCS_STRUCT(mm_bools) { bool alive; bool dirty; zcs_u32 count; };\n");
    static const char *const needles_two[] = {"declaration of mm_bools:1", "field \"alive\"",
                                              "type bool", NULL};
    expect_refused(&desc_two, needles_two);
}
END_TEST

typedef struct mm_any {
    uint32_t a;
    uint32_t b;
} mm_any;

START_TEST(other_forbidden_types_are_refused)
{
    static const zcs_field_desc fields[] = {ZCS_FIELD(mm_any, a), ZCS_FIELD(mm_any, b)};
    static const struct {
        const char *source;
        const char *needles[4];
    } cases[] = {
        {"ZCS_STRUCT(mm_any) { size_t a; zcs_u32 b; };", {"field \"a\"", "type size_t", "zcs_u64"}},
        {"ZCS_STRUCT(mm_any) {\n unsigned long a; };", {":2:", "field \"a\"", "type long"}},
        {"ZCS_STRUCT(mm_any) { zcs_u32 a; char *b; };", {"field \"b\"", "type char"}},
        {"ZCS_STRUCT(mm_any) { short a; zcs_u32 b; };", {"field \"a\"", "type short"}},
        {"ZCS_STRUCT(mm_any) { enum { ONE, TWO } a; zcs_u32 b; };", {"type enum"}},
        {"ZCS_STRUCT(mm_any) { zcs_u32 a : 3; zcs_u32 b; };", {"field \"a\"", "bit-field"}},
        {"typedef bool flag;\nZCS_STRUCT(mm_any) { flag a; zcs_u32 b; };",
         {"typedef \"flag\"", "type bool"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zcs_struct_desc desc = ZCS_STRUCT_DESC(mm_any, fields, cases[i].source);
        const char *needles[5] = {cases[i].needles[0], cases[i].needles[1], cases[i].needles[2],
                                  cases[i].needles[3], NULL};
        expect_refused(&desc, needles);
    }
}
END_TEST

START_TEST(forbidden_words_outside_shared_fields_are_accepted)
{
    /* Comments, host-only sections and device functions may use any type. */
    static const char source[] =
        "#include \"zcs/layout.h\"\n"
        "/* a bool or a size_t would be wrong in the struct */\n"
        "ZCS_STRUCT(mm_any)\n"
        "{\n"
        "    zcs_u32 a; // 0 or 1: never a bool\n"
        "    zcs_u32 b;\n"
        "};\n"
        "#if ZCS_LAYOUT_HOST\n"
        "typedef struct host_cache { bool valid; size_t bytes; long when; } host_cache;\n"
        "#elif defined(ZCS_LAYOUT_OPENCL)\n"
        "inline bool mm_any_alive(global const mm_any *m) { return m->a != 0; }\n"
        "#else\n"
        "bool mm_any_alive(mm_any m) { return m.a != 0u; }\n"
        "#endif\n";
    zcs_context *context = zcs_test_context();
    static const zcs_field_desc fields[] = {ZCS_FIELD(mm_any, a), ZCS_FIELD(mm_any, b)};
    zcs_struct_desc desc = ZCS_STRUCT_DESC(mm_any, fields, source);
    ZCS_CK(zcs_struct_check(context, &desc, NULL));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(bool_behind_a_macro_is_caught_by_the_probe)
{
    /* The scan cannot see through macros; the probe compares every byte. */
    static const char source[] = "#define MM_FLAG bool\n"
                                 "ZCS_STRUCT(mm_bools) { MM_FLAG alive; MM_FLAG dirty; zcs_u32 "
                                 "count; };\n";
    static const zcs_field_desc fields[] = {ZCS_FIELD(mm_bools, alive), ZCS_FIELD(mm_bools, dirty),
                                            ZCS_FIELD(mm_bools, count)};
    zcs_context *context = zcs_test_context();
    zcs_struct_desc desc = ZCS_STRUCT_DESC(mm_bools, fields, source);
    if (is_opencl()) {
        /* OpenCL C's bool is one byte here, copied as it is: the layouts agree. */
        ZCS_CK(zcs_struct_check(context, &desc, NULL));
    } else {
        /* Vulkan answered ZCS_ERROR_BACKEND ("wrote 0x01 at byte 4"). */
        ZCS_CK_STATUS(zcs_struct_check(context, &desc, NULL), ZCS_ERROR_LAYOUT_MISMATCH);
        ck_assert_msg(strstr(zcs_last_error(), "field \"alive\": host offset 0 size 1, device "
                                               "offset 0 size 4") != NULL,
                      "%s", zcs_last_error());
    }

    /* One bool: Vulkan passed it, comparing one byte of four. */
    static const zcs_field_desc one[] = {ZCS_FIELD(mm_bool, alive), ZCS_FIELD(mm_bool, count)};
    zcs_struct_desc desc_one = ZCS_STRUCT_DESC(
        mm_bool, one,
        "#define MM_FLAG bool\nZCS_STRUCT(mm_bool) { MM_FLAG alive; zcs_u32 count; };\n");
    if (is_opencl()) {
        ZCS_CK(zcs_struct_check(context, &desc_one, NULL));
    } else {
        ZCS_CK_STATUS(zcs_struct_check(context, &desc_one, NULL), ZCS_ERROR_LAYOUT_MISMATCH);
        ck_assert_msg(strstr(zcs_last_error(), "device offset 0 size 4") != NULL, "%s",
                      zcs_last_error());
    }

    /* Same size, other encoding: a 32-bit host field against a GLSL bool. */
    static const zcs_field_desc both[] = {ZCS_FIELD(mm_any, a), ZCS_FIELD(mm_any, b)};
    zcs_struct_desc desc_any = ZCS_STRUCT_DESC(mm_any, both,
                                               "#if ZCS_LAYOUT_GLSL\n#define MM_FLAG bool\n#else\n"
                                               "#define MM_FLAG zcs_u32\n#endif\n"
                                               "ZCS_STRUCT(mm_any) { zcs_u32 a; MM_FLAG b; };\n");
    if (is_opencl()) {
        ZCS_CK(zcs_struct_check(context, &desc_any, NULL));
    } else {
        ZCS_CK_STATUS(zcs_struct_check(context, &desc_any, NULL), ZCS_ERROR_LAYOUT_MISMATCH);
        ck_assert_msg(strstr(zcs_last_error(), "field \"b\" (offset 4, size 4 on both sides): the "
                                               "device stores its value differently") != NULL,
                      "%s", zcs_last_error());
    }
    zcs_test_context_destroy(context);
}
END_TEST

/* ---- build errors point at the user's own file and lines ---- */

typedef struct Particle {
    float x;
    uint32_t y;
} Particle;

START_TEST(build_errors_name_the_declarations_file_and_line)
{
    zcs_context *context = zcs_test_context();
    static const zcs_field_desc fields[] = {ZCS_FIELD(Particle, x), ZCS_FIELD(Particle, y)};
    zcs_struct_desc desc = ZCS_STRUCT_DESC(Particle, fields,
                                           "#include \"zcs/layout.h\"\n"
                                           "ZCS_STRUCT(Particle)\n"
                                           "{\n"
                                           "    zcs_f32 x;\n"
                                           "    zcs_u33 y;\n"
                                           "};\n");
    desc.source_name = "particle_decl.h";
    ZCS_CK_STATUS(zcs_struct_check(context, &desc, NULL), ZCS_ERROR_BUILD);
    ck_assert_msg(strstr(zcs_last_error(), "particle_decl.h:5") != NULL, "%s", zcs_last_error());
    printf("build error: %s\n", zcs_last_error());
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(struct_declared_without_typedef_gets_a_hint)
{
    zcs_context *context = zcs_test_context();
    static const zcs_field_desc fields[] = {ZCS_FIELD(Particle, x), ZCS_FIELD(Particle, y)};
    zcs_struct_desc desc = ZCS_STRUCT_DESC(Particle, fields,
                                           "#include \"zcs/layout.h\"\n"
                                           "\n"
                                           "struct Particle {\n"
                                           "    zcs_f32 x;\n"
                                           "    zcs_u32 y;\n"
                                           "};\n");
    desc.source_name = "particle_decl.h";
    if (is_opencl()) {
        /* The probe names the type "Particle": OpenCL C needs a typedef. */
        ZCS_CK_STATUS(zcs_struct_check(context, &desc, NULL), ZCS_ERROR_BUILD);
        ck_assert_msg(strstr(zcs_last_error(), "hint: particle_decl.h:3 declares \"struct "
                                               "Particle\"") != NULL,
                      "%s", zcs_last_error());
        ck_assert_msg(strstr(zcs_last_error(), "ZCS_STRUCT(Particle)") != NULL, "%s",
                      zcs_last_error());
        printf("hint: %s\n", zcs_last_error());
    } else {
        /* A GLSL struct's name is a type name. */
        ZCS_CK(zcs_struct_check(context, &desc, NULL));
    }
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(invalid_descriptions_are_refused)
{
    zcs_context *context = zcs_test_context();
    static const zcs_field_desc fields[] = {ZCS_FIELD(mm_order, a), ZCS_FIELD(mm_order, b)};
    const char *source = "ZCS_STRUCT(mm_order) { zcs_f32 a; zcs_u32 b; zcs_u32 c; };\n";
    zcs_struct_desc desc = ZCS_STRUCT_DESC(mm_order, fields, source);
    ZCS_CK_STATUS(zcs_struct_check(NULL, &desc, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_struct_check(context, NULL, NULL), ZCS_ERROR_NULL_HANDLE);

    zcs_struct_desc bad = desc;
    bad.source = NULL;
    ZCS_CK_STATUS(zcs_struct_check(context, &bad, NULL), ZCS_ERROR_NULL_HANDLE);
    bad = desc;
    bad.name = "mm order";
    ZCS_CK_STATUS(zcs_struct_check(context, &bad, NULL), ZCS_ERROR_INVALID_ARGUMENT);
    bad = desc;
    bad.field_count = 0;
    ZCS_CK_STATUS(zcs_struct_check(context, &bad, NULL), ZCS_ERROR_INVALID_ARGUMENT);
    bad = desc;
    bad.size = 4; /* field b lies past the end */
    ZCS_CK_STATUS(zcs_struct_check(context, &bad, NULL), ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "\"b\""));
    static const zcs_field_desc injected[] = {{"a; } kernel void x(", 0, 4}};
    bad = desc;
    bad.fields = injected;
    bad.field_count = 1;
    ZCS_CK_STATUS(zcs_struct_check(context, &bad, NULL), ZCS_ERROR_INVALID_ARGUMENT);

    /* Names the device compiler does not know: the build log says which. */
    static const zcs_field_desc unknown[] = {{"no_such_member", 0, 4}};
    bad = desc;
    bad.fields = unknown;
    bad.field_count = 1;
    ZCS_CK_STATUS(zcs_struct_check(context, &bad, NULL), ZCS_ERROR_BUILD);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "no_such_member"));
    bad = desc;
    bad.source = "this is not a declaration";
    ZCS_CK_STATUS(zcs_struct_check(context, &bad, NULL), ZCS_ERROR_BUILD);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "mm_order"));

    ZCS_CK(zcs_struct_check(context, &desc, NULL));
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *layout_suite(void)
{
    Suite *suite = suite_create("layout");
    TCase *matching = tcase_create("matching");
    tcase_add_test(matching, embedded_header_matches_the_file);
    tcase_add_test(matching, scalars_and_64_bit_fields_match);
    tcase_add_test(matching, vectors_match);
    tcase_add_test(matching, nested_structs_and_fixed_arrays_match);
    tcase_add_test(matching, struct_inside_a_struct_array_matches);
    tcase_add_test(matching, trailing_padding_of_a_nested_struct_matches);
    tcase_add_test(matching, second_check_is_cached);
    suite_add_tcase(suite, matching);

    TCase *mismatches = tcase_create("mismatches");
    tcase_add_test(mismatches, float3_against_float_array_is_caught);
    tcase_add_test(mismatches, missing_padding_before_a_64_bit_field_is_caught);
    tcase_add_test(mismatches, long_against_int_is_caught);
    tcase_add_test(mismatches, reordered_field_is_caught);
    tcase_add_test(mismatches, wrong_total_size_is_caught);
    tcase_add_test(mismatches, invalid_descriptions_are_refused);
    tcase_add_test(mismatches, bool_fields_are_refused);
    tcase_add_test(mismatches, public_particle_header_matches_the_device);
    tcase_add_test(mismatches, other_forbidden_types_are_refused);
    tcase_add_test(mismatches, forbidden_words_outside_shared_fields_are_accepted);
    tcase_add_test(mismatches, bool_behind_a_macro_is_caught_by_the_probe);
    tcase_add_test(mismatches, build_errors_name_the_declarations_file_and_line);
    tcase_add_test(mismatches, struct_declared_without_typedef_gets_a_hint);
    suite_add_tcase(suite, mismatches);

    return suite;
}

int main(void)
{
    return zcs_test_run(layout_suite());
}
