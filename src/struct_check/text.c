/* The struct check's utilities: a clock, FNV-1a hashing and a growable string. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "struct_check/internal.h"

double zcs__now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/* FNV-1a over bytes, continuing from `hash`. */
uint64_t zcs__hash_bytes(uint64_t hash, const void *data, size_t size)
{
    const unsigned char *bytes = data;
    for (size_t i = 0; i < size; i++) {
        hash ^= bytes[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

uint64_t zcs__hash_string(uint64_t hash, const char *text)
{
    /* The terminating NUL separates consecutive strings; NULL hashes like "\xff". */
    if (text == NULL)
        return zcs__hash_bytes(hash, "\xff", 1);
    return zcs__hash_bytes(hash, text, strlen(text) + 1);
}

void zcs__text_append_n(zcs__text *text, const char *piece, size_t length)
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

void zcs__text_append(zcs__text *text, const char *piece)
{
    zcs__text_append_n(text, piece, strlen(piece));
}

void zcs__text_appendf(zcs__text *text, const char *format, ...)
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
