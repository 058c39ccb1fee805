/* Small string helpers shared by the core and the backends. */
#include <ctype.h>
#include <string.h>

#include "core/objects.h"

int zcs__contains_ignore_case(const char *haystack, const char *needle)
{
    size_t needle_length = strlen(needle);
    if (needle_length == 0)
        return 1;
    for (; *haystack != '\0'; haystack++) {
        size_t i = 0;
        while (i < needle_length && haystack[i] != '\0' &&
               tolower((unsigned char)haystack[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == needle_length)
            return 1;
    }
    return 0;
}

void zcs__copy_string(char *dst, size_t dst_size, const char *src)
{
    size_t length = src != NULL ? strlen(src) : 0;
    if (length >= dst_size)
        length = dst_size - 1;
    if (length > 0)
        memcpy(dst, src, length);
    dst[length] = '\0';
}
