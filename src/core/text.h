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

#endif
