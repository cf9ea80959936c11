/* calendar.c: dates of CF's calendars as day numbers (calendar.h). */
#include <fc_build.h>

#include "src/core/calendar.h"

#include <string.h>

#include <stddef.h>
#include <strings.h>

int fc_calendar_kind(const char *name)
{
    static const struct {
        const char *name;
        int kind;
    } names[] = {{"", FC_CAL_STANDARD},         {"standard", FC_CAL_STANDARD},
                 {"gregorian", FC_CAL_STANDARD}, {"proleptic_gregorian", FC_CAL_PROLEPTIC},
                 {"julian", FC_CAL_JULIAN},      {"noleap", FC_CAL_NOLEAP},
                 {"365_day", FC_CAL_NOLEAP},     {"all_leap", FC_CAL_ALL_LEAP},
                 {"366_day", FC_CAL_ALL_LEAP},   {"360_day", FC_CAL_360}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (!strcasecmp(name, names[k].name))
            return names[k].kind;
    return -1;
}

/* The first day of the Gregorian reform, 1582-10-15, as a Julian day number. */
#define GREGORIAN_REFORM_JDN 2299161LL

long long fc_day_number(int kind, long long y, int m, int d)
{
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    const long long a = (14 - m) / 12, yy = y + 4800 - a, mm = m + 12 * a - 3;
    const long long julian = d + (153 * mm + 2) / 5 + 365 * yy + yy / 4 - 32083;
    const long long gregorian = d + (153 * mm + 2) / 5 + 365 * yy + yy / 4 - yy / 100 +
                                yy / 400 - 32045;
    switch (kind) {
    case FC_CAL_PROLEPTIC:
        return gregorian;
    case FC_CAL_JULIAN:
        return julian;
    case FC_CAL_NOLEAP:
        return 365 * y + before[m - 1] + d - 1;
    case FC_CAL_ALL_LEAP:
        return 366 * y + before[m - 1] + (m > 2) + d - 1;
    case FC_CAL_360:
        return 360 * y + 30 * (m - 1) + d - 1;
    default: /* standard: dates before the reform are Julian */
        return gregorian >= GREGORIAN_REFORM_JDN ? gregorian : julian;
    }
}

void fc_day_date(int kind, long long n, long long *y, int *m, int *d)
{
    if (kind == FC_CAL_NOLEAP || kind == FC_CAL_ALL_LEAP || kind == FC_CAL_360) {
        static const int len365[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        const int year_days = kind == FC_CAL_360 ? 360 : kind == FC_CAL_NOLEAP ? 365 : 366;
        *y = n >= 0 ? n / year_days : -((-n + year_days - 1) / year_days);
        int left = (int)(n - *y * year_days);
        *m = 1;
        for (;;) {
            const int len = kind == FC_CAL_360 ? 30 : len365[*m - 1] + (kind == FC_CAL_ALL_LEAP && *m == 2);
            if (left < len)
                break;
            left -= len;
            ++*m;
        }
        *d = left + 1;
        return;
    }
    const int gregorian = kind == FC_CAL_PROLEPTIC || (kind == FC_CAL_STANDARD && n >= GREGORIAN_REFORM_JDN);
    long long b = 0, c = n + 32082;
    if (gregorian) {
        const long long a = n + 32044;
        b = (4 * a + 3) / 146097;
        c = a - 146097 * b / 4;
    }
    const long long dd = (4 * c + 3) / 1461, e = c - 1461 * dd / 4, mm = (5 * e + 2) / 153;
    *d = (int)(e - (153 * mm + 2) / 5 + 1);
    *m = (int)(mm + 3 - 12 * (mm / 10));
    *y = 100 * b + dd - 4800 + mm / 10;
}

int fc_date_exists(int kind, long long y, int m, int d)
{
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    /* A date exists when its day number gives it back (2023-02-29 gives 2023-03-01). */
    long long yy;
    int mm, dd;
    fc_day_date(kind, fc_day_number(kind, y, m, d), &yy, &mm, &dd);
    return yy == y && mm == m && dd == d;
}

int fc_zone_offset(const char *text, int *east)
{
    static const char *const utc[] = {"Z", "UTC", "GMT"};
    for (int k = 0; k < 3; k++)
        if (!strncmp(text, utc[k], strlen(utc[k]))) {
            *east = 0;
            return (int)strlen(utc[k]);
        }
    if (text[0] != '+' && text[0] != '-')
        return 0;
    const char *p = text + 1;
    const size_t digits = strspn(p, "0123456789");
    int h, m = 0;
    if (digits == 4) { /* +hhmm */
        h = (p[0] - '0') * 10 + (p[1] - '0');
        m = (p[2] - '0') * 10 + (p[3] - '0');
        p += 4;
    } else if (digits == 1 || digits == 2) { /* +h, +hh, +hh:mm */
        h = digits == 1 ? p[0] - '0' : (p[0] - '0') * 10 + (p[1] - '0');
        p += digits;
        if (*p == ':') {
            if (strspn(p + 1, "0123456789") != 2)
                return 0;
            m = (p[1] - '0') * 10 + (p[2] - '0');
            p += 3;
        }
    } else {
        return 0;
    }
    if (h > 14 || m > 59)
        return 0;
    *east = (text[0] == '-' ? -1 : 1) * (h * 60 + m);
    return (int)(p - text);
}
