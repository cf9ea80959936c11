/* text.c: UTF-8 checks (text.h), by table 3-7 of the Unicode standard: the range of the
 * second byte depends on the first, which rules out overlong forms and surrogates. */
#include <fc_build.h>

#include "src/core/text.h"

size_t fc_utf8_char_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* the range of the second byte */
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3;
        if (p[0] == 0xe0)
            lo = 0xa0;
        else if (p[0] == 0xed)
            hi = 0x9f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4;
        if (p[0] == 0xf0)
            lo = 0x90;
        else if (p[0] == 0xf4)
            hi = 0x8f;
    } else
        return 0;
    /* A NUL fails each test below, so nothing past the end of s is read. */
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((p[k] & 0xc0) != 0x80)
            return 0;
    return n;
}

const char *fc_utf8_first_bad(const char *s)
{
    while (*s) {
        const size_t n = fc_utf8_char_len(s);
        if (!n)
            return s;
        s += n;
    }
    return NULL;
}
