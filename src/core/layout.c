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

/* The text of include/zcs/layout.h, embedded at build time (cmake/ZcsEmbed.cmake). */
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
    hash = zcs__hash_string(hash, desc->source_name);
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
    va_list args;
    va_start(args, format);
    int length = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (length < 0) {
        text->failed = 1;
        return;
    }
    /* Make room, then format in place (vsnprintf writes the NUL the append keeps). */
    zcs__text_append_n(text, "", 0);
    size_t needed = text->length + (size_t)length + 1;
    if (!text->failed && needed > text->capacity) {
        size_t capacity = text->capacity != 0 ? text->capacity : 4096;
        while (needed > capacity)
            capacity *= 2;
        char *data = zcs__malloc(capacity);
        if (data == NULL) {
            text->failed = 1;
            return;
        }
        memcpy(data, text->data, text->length + 1);
        zcs__free(text->data);
        text->data = data;
        text->capacity = capacity;
    }
    if (text->failed)
        return;
    va_start(args, format);
    vsnprintf(text->data + text->length, (size_t)length + 1, format, args);
    va_end(args);
    text->length += (size_t)length;
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
/* Types the rules forbid (docs/layout.md, rule 2)                           */
/* ------------------------------------------------------------------------ */

/* The name build logs and messages give the declaration. */
static void zcs__source_name(const zcs_struct_desc *desc, char *name, size_t size)
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
static zcs_status zcs__check_forbidden_types(zcs_context *context, const zcs_struct_desc *desc)
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
                return zcs__fail(context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
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
                return zcs__fail(context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
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
static void zcs__build_failure(zcs_context *context, const zcs_struct_desc *desc)
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
    if (struct_line != 0 && !struct_seen && !typedef_seen &&
        zcs__backend_layout_language == ZCS__LAYOUT_LANG_OPENCL_C)
        snprintf(hint, sizeof hint,
                 "\nhint: %s:%u declares \"struct %s\", but C and OpenCL C know no type \"%s\" "
                 "without a typedef; declare it as ZCS_STRUCT(%s) { ... }; (a typedef'd struct "
                 "in C and OpenCL C, a struct in GLSL), or add \"typedef struct %s %s;\"",
                 source_name, struct_line, desc->name, desc->name, desc->name, desc->name,
                 desc->name);
    zcs__fail(context, ZCS_ERROR_BUILD, zcs_context_last_backend_error(context->handle),
              "zcs_struct_check: struct \"%s\": the device compiler refused the declaration "
              "(%s) or a field name (the layout probe):\n%s%s",
              desc->name, source_name, log, hint);
    zcs__free(log);
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
    zcs_status status = zcs_array_create(context->handle, 1, size, 0, &buffer);
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
    int glsl = zcs__backend_layout_language == ZCS__LAYOUT_LANG_GLSL;

    /* Element 1 of st holds B: its first byte (every layout puts the first member at
       offset 0, and a copy writes it) is the device's array stride, sizeof(T). */
    size_t stride = 0;
    while (stride < 2 * slot && !zcs__written(st, stride))
        stride++;
    if (stride == 2 * slot)
        return zcs__fail(context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                         "%s: struct \"%s\" is %zu bytes on the host but more than %zu bytes on "
                         "the device (the probe's element did not fit)",
                         fn, desc->name, desc->size, slot);
    if (stride == 0 || stride > slot)
        return zcs__fail(context, ZCS_ERROR_BACKEND, 0,
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
        /* Same place and size: the bytes must be the host's too, or the two sides encode
           the value differently (a GLSL bool holds 1 in 32 bits where the host's byte
           held anything). */
        for (size_t i = low; i < high; i++) {
            unsigned char expected = zcs__pattern(i, 0);
            unsigned char got = dst->zero[base + i];
            if (zcs__written(dst, base + i) && got != expected)
                return zcs__fail(context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                                 "%s: struct \"%s\", field \"%s\" (offset %zu, size %zu on both "
                                 "sides): the device stores its value differently: a copy on "
                                 "the device turned byte %zu from 0x%02x into 0x%02x (a type "
                                 "the device converts, such as bool; docs/layout.md, rules)",
                                 fn, desc->name, field->name, field->offset, field->size, i,
                                 expected, got);
        }
    }
    if (stride != desc->size)
        return zcs__fail(context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
                         "%s: struct \"%s\" is %zu bytes on the host but %zu bytes on the device "
                         "(every listed field matches: the difference is in padding or in "
                         "fields not listed)",
                         fn, desc->name, desc->size, stride);
    /* The copy of the whole of B covers the fields not listed too: every byte it wrote
       must be B's. */
    for (size_t i = 0; i < stride; i++) {
        unsigned char expected = zcs__pattern(i, 1);
        if (zcs__written(st, stride + i) && st->zero[stride + i] != expected)
            return zcs__fail(context, ZCS_ERROR_LAYOUT_MISMATCH, 0,
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
    zcs__probe probe = {0};
    zcs_status status = zcs_program_create_from_source(context->handle, text.data, text.length,
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

zcs_status zcs_struct_check(zcs_context *context_handle, const zcs_struct_desc *desc,
                            zcs_layout_report *out_report)
{
    double start = zcs__now_seconds();
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_struct_check");
    if (desc == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "zcs_struct_check: desc is NULL");
    zcs_status status = zcs__check_desc(context, desc);
    if (status == ZCS_SUCCESS)
        status = zcs__check_forbidden_types(context, desc);
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

zcs_status zcs_array_device_address(zcs_array *handle, uint64_t *out_address)
{
    ZCS__CLAIM(zcs_array, buffer, handle, ZCS__MAGIC_ARRAY, 1, "buffer",
               "zcs_array_device_address");
    zcs_status status = out_address == NULL
                            ? zcs__fail(buffer->context, ZCS_ERROR_NULL_HANDLE, 0,
                                        "zcs_array_device_address: out_address is NULL")
                            : zcs__backend_array_device_address(buffer, out_address);
    zcs__handle_release(handle);
    return status;
}

static zcs_status zcs__set_indirect(zcs_kernel *kernel, zcs_array *const *handles, size_t count)
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
        if (zcs__handle_foreign(handles[i], ZCS__MAGIC_ARRAY, context))
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "zcs_kernel_set_indirect: array %zu belongs to another context", i);
    }
    /* Under the context lock, which a free takes to retire a handle: the arrays stay alive
       while the backend reads them. */
    zcs_array *buffers[ZCS_MAX_KERNEL_ARGS];
    pthread_mutex_lock(&context->lock);
    for (size_t i = 0; i < count; i++) {
        buffers[i] = zcs__handle_lookup(handles[i], ZCS__MAGIC_ARRAY);
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

zcs_status zcs_kernel_set_indirect(zcs_kernel *kernel_handle, zcs_array *const *buffers,
                                   size_t count)
{
    ZCS__CLAIM(zcs_kernel, kernel, kernel_handle, ZCS__MAGIC_KERNEL, 1, "kernel",
               "zcs_kernel_set_indirect");
    zcs_status status = zcs__set_indirect(kernel, buffers, count);
    zcs__handle_release(kernel_handle);
    return status;
}
