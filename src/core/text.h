/*
 * text.h: checks on text that comes from outside (case files, NetCDF attributes), which may be
 * any bytes. flowcast's text is UTF-8 (RFC 3629): NetCDF-4 strings, cairo's labels and the
 * terminal all expect it, and one malformed character can fail a picture or garble a message.
 */
#ifndef FC_TEXT_H
#define FC_TEXT_H

#include <stddef.h>

/* The length in bytes (1 to 4) of the well-formed UTF-8 character that s starts with, or 0
 * where its bytes are not one: a stray continuation byte, an overlong form, a surrogate, a code
 * point past U+10FFFF, or a character cut short by the end of the string. s[0] != '\0'. */
size_t fc_utf8_char_len(const char *s);

/* The first byte of s (NUL-terminated) that is not part of a well-formed UTF-8 character, or
 * NULL when all of s is UTF-8. */
const char *fc_utf8_first_bad(const char *s);

/*
 * The name a user most likely meant, for "did you mean" hints: offer each known name in turn;
 * the nearest (Levenshtein distance, ignoring case, at most 2 edits and fewer than the word's
 * length) is kept, the first of equals.
 */
typedef struct fc_nearest {
    const char *word; /* what the user typed */
    const char *best; /* the nearest name offered so far, or NULL */
    size_t dist;
} fc_nearest;

void fc_nearest_start(fc_nearest *n, const char *word);
void fc_nearest_offer(fc_nearest *n, const char *name);

#endif
