/*
 * The struct check's reading of the application's declaration: the description's own
 * checks, the types the rules forbid (docs/layout.md, rule 2) found by a scan of the
 * text, and the hint for a build failure the declaration causes.
 */
#include <stdio.h>
#include <string.h>

#include "struct_check/internal.h"

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
    return strlen(text) < ZCS__SC_NAME_SIZE;
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

zcs_status zcs__check_desc(zcs_context *context, const zcs_struct_desc *desc)
{
    const char *fn = "zcs_struct_check";
    if (desc->name == NULL || desc->fields == NULL || desc->source == NULL)
        return zcs__fail_handle(context, ZCS_ERROR_NULL_HANDLE, 0, "%s: desc->%s is NULL", fn,
                                desc->name == NULL     ? "name"
                                : desc->fields == NULL ? "fields"
                                                       : "source");
    if (!zcs__is_identifier(desc->name))
        return zcs__fail_handle(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                                "%s: struct name \"%s\" is not an identifier of at most 127 "
                                "characters",
                                fn, desc->name);
    if (desc->size == 0)
        return zcs__fail_handle(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                                "%s: struct \"%s\" has size 0", fn, desc->name);
    if (desc->size > ZCS_MAX_STRUCT_SIZE)
        return zcs__fail_handle(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                                "%s: struct \"%s\" of %zu bytes is too large to probe", fn,
                                desc->name, desc->size);
    if (desc->field_count == 0 || desc->field_count > ZCS_MAX_STRUCT_FIELDS)
        return zcs__fail_handle(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                                "%s: struct \"%s\" lists %zu fields; list 1 to %d", fn, desc->name,
                                desc->field_count, ZCS_MAX_STRUCT_FIELDS);
    for (size_t i = 0; i < desc->field_count; i++) {
        const zcs_field_desc *field = &desc->fields[i];
        if (field->name == NULL)
            return zcs__fail_handle(context, ZCS_ERROR_NULL_HANDLE, 0,
                                    "%s: struct \"%s\": the name of field %zu is NULL", fn,
                                    desc->name, i);
        if (!zcs__is_designator(field->name))
            return zcs__fail_handle(
                context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                "%s: struct \"%s\": field name \"%s\" is not a member designator "
                "(name, name.member, name[3])",
                fn, desc->name, field->name);
        if (field->size == 0 || field->offset > desc->size ||
            field->size > desc->size - field->offset)
            return zcs__fail_handle(
                context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                "%s: struct \"%s\": field \"%s\" (offset %zu, size %zu) does not "
                "lie within the struct's %zu bytes",
                fn, desc->name, field->name, field->offset, field->size, desc->size);
    }
    return ZCS_SUCCESS;
}

/* The name build logs and messages give the declaration. */
void zcs__source_name(const zcs_struct_desc *desc, char *name, size_t size)
{
    if (desc->source_name != NULL && desc->source_name[0] != '\0')
        snprintf(name, size, "%s", desc->source_name);
    else
        snprintf(name, size, "declaration of %s", desc->name);
}

/* A type the rules forbid in a shared struct: why, and what to use instead. */
typedef struct zcs__forbidden_type {
    const char *token;
    const char *why;
    const char *instead;
} zcs__forbidden_type;

static const zcs__forbidden_type zcs__forbidden_types[] = {
    {"bool",
     "a bool is 1 byte in C, 32 bits in GLSL and of no fixed size in OpenCL C, and its "
     "values are converted, not copied",
     "zcs_u32 holding 0 or 1"},
    {"_Bool", "a _Bool is 1 byte in C, 32 bits in GLSL and of no fixed size in OpenCL C",
     "zcs_u32 holding 0 or 1"},
    {"size_t", "its size is each side's pointer size, which may differ, and GLSL has none",
     "zcs_u64 or zcs_u32"},
    {"ptrdiff_t", "its size is each side's pointer size, which may differ, and GLSL has none",
     "zcs_i64 or zcs_i32"},
    {"intptr_t", "its size is each side's pointer size, which may differ, and GLSL has none",
     "zcs_i64, or ZCS_PTR(T) for a pointer"},
    {"uintptr_t", "its size is each side's pointer size, which may differ, and GLSL has none",
     "zcs_u64, or ZCS_PTR(T) for a pointer"},
    {"long",
     "a long is 8 bytes in OpenCL C but 4 on some hosts (Windows, 32-bit), and GLSL has none",
     "zcs_i64 or zcs_u64"},
    {"char", "GLSL has no 8-bit type without extensions", "zcs_u32 (pack small values into it)"},
    {"uchar", "GLSL has no 8-bit type without extensions", "zcs_u32 (pack small values into it)"},
    {"short", "GLSL has no 16-bit type without extensions", "zcs_u32 (pack small values into it)"},
    {"ushort", "GLSL has no 16-bit type without extensions", "zcs_u32 (pack small values into it)"},
    {"enum", "an enum's size is each compiler's choice, and GLSL has none",
     "zcs_u32 with #define'd values"},
};

/* Words that may precede a field's name in its declaration (skipped to find the name). */
static int zcs__is_type_word(const char *word, size_t length)
{
    static const char *const words[] = {"unsigned", "signed", "const", "volatile", "long",
                                        "short",    "int",    "char",  "bool",     "_Bool",
                                        "struct",   "enum",   "union"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i]) == length && strncmp(word, words[i], length) == 0)
            return 1;
    }
    return 0;
}

/* A scanner over the declaration text: comments, literals and preprocessor lines skipped. */
typedef struct zcs__scanner {
    const char *c;
    unsigned line;
    int line_start; /* only blanks since the last newline: a '#' starts a directive */
    /* #if nesting: bit d of `host` set while level d is a ZCS_LAYOUT_HOST section, bit d
       of `else_host` when its #else branch is one (#ifndef ZCS_LAYOUT_HOST). */
    uint64_t host;
    uint64_t else_host;
    unsigned if_depth;
} zcs__scanner;

static void zcs__scanner_init(zcs__scanner *s, const char *text)
{
    memset(s, 0, sizeof *s);
    s->c = text;
    s->line = 1;
    s->line_start = 1;
}

/* Handle one preprocessor line starting at s->c ('#'), leaving s->c at its end. */
static void zcs__scan_directive(zcs__scanner *s)
{
    const char *start = s->c + 1;
    const char *end = start;
    while (*end != '\0' && *end != '\n') {
        if (*end == '\\' && end[1] == '\n')
            s->line++;
        end++;
    }
    while (*start == ' ' || *start == '\t')
        start++;
    char directive[128];
    size_t length =
        (size_t)(end - start) < sizeof directive - 1 ? (size_t)(end - start) : sizeof directive - 1;
    memcpy(directive, start, length);
    directive[length] = '\0';
    int names_host = strstr(directive, "ZCS_LAYOUT_HOST") != NULL;
    int negated = strncmp(directive, "ifndef", 6) == 0 || strchr(directive, '!') != NULL;
    if (strncmp(directive, "if", 2) == 0) {
        if (s->if_depth < 64) {
            uint64_t bit = (uint64_t)1 << s->if_depth;
            if (names_host && !negated)
                s->host |= bit;
            if (names_host && negated)
                s->else_host |= bit;
        }
        s->if_depth++;
    } else if (strncmp(directive, "el", 2) == 0 && s->if_depth > 0 && s->if_depth <= 64) {
        uint64_t bit = (uint64_t)1 << (s->if_depth - 1);
        int was_else_host = (s->else_host & bit) != 0;
        s->host &= ~bit;
        s->else_host &= ~bit;
        if (strncmp(directive, "else", 4) == 0 && was_else_host)
            s->host |= bit;
        if (strncmp(directive, "elif", 4) == 0 && names_host && !negated)
            s->host |= bit;
    } else if (strncmp(directive, "endif", 5) == 0 && s->if_depth > 0) {
        s->if_depth--;
        if (s->if_depth < 64) {
            s->host &= ~((uint64_t)1 << s->if_depth);
            s->else_host &= ~((uint64_t)1 << s->if_depth);
        }
    }
    s->c = end;
}

/*
 * The next token: an identifier (*out_length > 0, returns its start) or one punctuation
 * character. NULL at the end of the text.
 */
static const char *zcs__scan_token(zcs__scanner *s, size_t *out_length)
{
    for (;;) {
        char c = *s->c;
        if (c == '\0')
            return NULL;
        if (c == '\n') {
            s->line++;
            s->c++;
            s->line_start = 1;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            s->c++;
        } else if (c == '\\' && s->c[1] == '\n') {
            s->c += 2;
            s->line++;
        } else if (c == '/' && s->c[1] == '/') {
            while (*s->c != '\0' && *s->c != '\n')
                s->c++;
        } else if (c == '/' && s->c[1] == '*') {
            s->c += 2;
            while (*s->c != '\0' && !(s->c[0] == '*' && s->c[1] == '/')) {
                if (*s->c == '\n')
                    s->line++;
                s->c++;
            }
            if (*s->c != '\0')
                s->c += 2;
        } else if (c == '#' && s->line_start) {
            zcs__scan_directive(s);
        } else if (c == '"' || c == '\'') {
            s->c++;
            while (*s->c != '\0' && *s->c != c && *s->c != '\n') {
                if (*s->c == '\\' && s->c[1] != '\0')
                    s->c++;
                s->c++;
            }
            if (*s->c == c)
                s->c++;
        } else {
            break;
        }
    }
    s->line_start = 0;
    const char *token = s->c;
    if (zcs__is_ident_start(*s->c)) {
        while (zcs__is_ident_char(*s->c))
            s->c++;
        *out_length = (size_t)(s->c - token);
    } else {
        s->c++;
        *out_length = 0;
    }
    return token;
}

/*
 * Refuse a struct field (or a typedef) whose type the rules forbid: a scan of the bodies
 * of the declaration's structs and of its typedefs, outside ZCS_LAYOUT_HOST sections.
 * Types hidden behind macros are left to the probe.
 */
zcs_status zcs__check_forbidden_types(zcs_context *context, const zcs_struct_desc *desc)
{
    zcs__scanner s;
    zcs__scanner_init(&s, desc->source);
    /* Brace levels: bit d set when level d is a struct or union body. */
    uint64_t struct_levels = 0;
    unsigned depth = 0;
    int pending_struct = 0; /* "struct", "union" or "ZCS_STRUCT" seen, no '{' yet */
    int in_typedef = 0;     /* between "typedef" and its ';' at the same depth */
    unsigned typedef_depth = 0;
    const char *previous = NULL;
    size_t previous_length = 0;
    for (;;) {
        size_t length = 0;
        const char *token = zcs__scan_token(&s, &length);
        if (token == NULL)
            break;
        int host_only = s.host != 0;
        if (length == 0) {
            char c = *token;
            if (c == '{') {
                if (depth < 64 && pending_struct)
                    struct_levels |= (uint64_t)1 << depth;
                depth++;
                pending_struct = 0;
            } else if (c == '}') {
                if (depth > 0)
                    depth--;
                if (depth < 64)
                    struct_levels &= ~((uint64_t)1 << depth);
            } else if (c == ';') {
                pending_struct = 0;
                if (in_typedef && depth == typedef_depth)
                    in_typedef = 0;
            } else if (c == '(' && !(previous != NULL && previous_length == 10 &&
                                     strncmp(previous, "ZCS_STRUCT", 10) == 0)) {
                pending_struct = 0;
            } else if (c == ':' && !host_only && depth > 0 && depth <= 64 &&
                       (struct_levels & ((uint64_t)1 << (depth - 1))) != 0) {
                char name[128];
                snprintf(name, sizeof name, "%.*s", previous != NULL ? (int)previous_length : 0,
                         previous != NULL ? previous : "");
                char source_name[256];
                zcs__source_name(desc, source_name, sizeof source_name);
                return zcs__fail_handle(
                    context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                    "zcs_struct_check: struct \"%s\": %s:%u: field \"%s\" is a "
                    "bit-field, which the rules forbid: each compiler lays "
                    "bit-fields out its own way and GLSL has none; use a zcs_u32 "
                    "and shifts instead (docs/layout.md, rule 2)",
                    desc->name, source_name, s.line, name);
            }
            previous = token;
            previous_length = 0;
            continue;
        }
        if ((length == 6 && strncmp(token, "struct", 6) == 0) ||
            (length == 5 && strncmp(token, "union", 5) == 0) ||
            (length == 10 && strncmp(token, "ZCS_STRUCT", 10) == 0))
            pending_struct = 1;
        if (length == 7 && strncmp(token, "typedef", 7) == 0 && !in_typedef) {
            in_typedef = 1;
            typedef_depth = depth;
        }
        int in_struct =
            depth > 0 && depth <= 64 && (struct_levels & ((uint64_t)1 << (depth - 1))) != 0;
        if (!host_only && (in_struct || in_typedef)) {
            for (size_t t = 0; t < sizeof zcs__forbidden_types / sizeof zcs__forbidden_types[0];
                 t++) {
                const zcs__forbidden_type *type = &zcs__forbidden_types[t];
                if (strlen(type->token) != length || strncmp(token, type->token, length) != 0)
                    continue;
                unsigned line = s.line;
                /* The declarator's name: the next word that is not part of the type. */
                zcs__scanner ahead = s;
                const char *name = NULL;
                size_t name_length = 0;
                for (int guard = 0; guard < 16; guard++) {
                    const char *next = zcs__scan_token(&ahead, &name_length);
                    if (next == NULL || (name_length == 0 && *next != '*'))
                        break;
                    if (name_length > 0 && !zcs__is_type_word(next, name_length) &&
                        !(strcmp(type->token, "enum") == 0 && guard == 0)) {
                        name = next;
                        break;
                    }
                }
                char source_name[256];
                zcs__source_name(desc, source_name, sizeof source_name);
                return zcs__fail_handle(
                    context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                    "zcs_struct_check: struct \"%s\": %s:%u: %s \"%.*s\" is of "
                    "type %s, which the rules forbid in shared structs: %s; use %s "
                    "instead (docs/layout.md, rule 2)",
                    desc->name, source_name, line, in_struct ? "field" : "typedef",
                    name != NULL ? (int)(name_length > 100 ? 100 : name_length) : 1,
                    name != NULL ? name : "?", type->token, type->why, type->instead);
            }
        }
        previous = token;
        previous_length = length;
    }
    return ZCS_SUCCESS;
}

/*
 * After a build failure of the probe: prefix the compiler's message, and when the
 * declaration defines `struct NAME` without a typedef (C and OpenCL C then know no type
 * NAME), say how to fix it.
 */
void zcs__build_failure(zcs_context *context, const zcs_struct_desc *desc)
{
    size_t length = strlen(zcs_last_error());
    char *log = zcs__malloc(length + 1);
    if (log == NULL)
        return; /* the build failure's own message stays */
    memcpy(log, zcs_last_error(), length + 1);
    /* `struct NAME {` in the text, and no ZCS_STRUCT(NAME) or typedef naming NAME. */
    zcs__scanner s;
    zcs__scanner_init(&s, desc->source);
    size_t name_length = strlen(desc->name);
    unsigned struct_line = 0;
    int typedef_seen = 0, struct_seen = 0;
    const char *before = NULL;
    size_t before_length = 0;
    for (;;) {
        size_t token_length = 0;
        const char *token = zcs__scan_token(&s, &token_length);
        if (token == NULL)
            break;
        if (token_length == name_length && strncmp(token, desc->name, name_length) == 0 &&
            before != NULL) {
            if (before_length == 6 && strncmp(before, "struct", 6) == 0 && struct_line == 0)
                struct_line = s.line;
            if (before_length == 0 && *before == '(')
                struct_seen = 1; /* ZCS_STRUCT(NAME) */
        }
        if (token_length == 7 && strncmp(token, "typedef", 7) == 0)
            typedef_seen = 1;
        before = token;
        before_length = token_length;
    }
    char source_name[256];
    zcs__source_name(desc, source_name, sizeof source_name);
    char hint[1024] = "";
    if (struct_line != 0 && !struct_seen && !typedef_seen && !zcs__sc_glsl(context))
        snprintf(hint, sizeof hint,
                 "\nhint: %s:%u declares \"struct %s\", but C and OpenCL C know no type \"%s\" "
                 "without a typedef; declare it as ZCS_STRUCT(%s) { ... }; (a typedef'd struct "
                 "in C and OpenCL C, a struct in GLSL), or add \"typedef struct %s %s;\"",
                 source_name, struct_line, desc->name, desc->name, desc->name, desc->name,
                 desc->name);
    zcs__fail_handle(context, ZCS_ERROR_BUILD, zcs_context_last_backend_error(context),
                     "zcs_struct_check: struct \"%s\": the device compiler refused the declaration "
                     "(%s) or a field name (the layout probe):\n%s%s",
                     desc->name, source_name, log, hint);
    zcs__free(log);
}
