/* text.c: UTF-8 checks (text.h), by table 3-7 of the Unicode standard: the range of the
 * second byte depends on the first, which rules out overlong forms and surrogates. */
#include <fc_build.h>

#include "src/core/text.h"

#include <ctype.h>
#include <string.h>

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

/* Levenshtein distance ignoring case; names longer than 63 bytes are never near. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return (size_t)-1;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (tolower((unsigned char)a[i - 1]) !=
                                             tolower((unsigned char)b[j - 1]));
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

void fc_nearest_start(fc_nearest *n, const char *word)
{
    n->word = word;
    n->best = NULL;
    n->dist = 3; /* more than the 2 edits allowed */
}

void fc_nearest_offer(fc_nearest *n, const char *name)
{
    const size_t d = edit_distance(n->word, name);
    if (d < n->dist && d < strlen(n->word)) {
        n->dist = d;
        n->best = name;
    }
}
