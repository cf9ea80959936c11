/*
 * calendar.h: dates in CF's calendars (CF conventions, 4.4.1) as day numbers: standard (Julian
 * before 1582-10-15, Gregorian from it), proleptic_gregorian, julian, and the model calendars of
 * 365, 366 and 360 days, and time zones. The case's reference time is checked with it, and `plot`
 * dates another tool's records with it.
 */
#ifndef FC_CALENDAR_H
#define FC_CALENDAR_H

#ifdef __cplusplus
extern "C" {
#endif

enum fc_calendar {
    FC_CAL_STANDARD,
    FC_CAL_PROLEPTIC,
    FC_CAL_JULIAN,
    FC_CAL_NOLEAP,
    FC_CAL_ALL_LEAP,
    FC_CAL_360
};

/* The kind of a calendar attribute ("" is CF's default, standard), or -1 for an unknown one. */
int fc_calendar_kind(const char *name);
/* The day number of Y-M-D (M 1 to 12): a Julian day number in the standard, Gregorian and
 * Julian calendars (Fliegel & Van Flandern 1968), days since 0000-01-01 in the model calendars. */
long long fc_day_number(int kind, long long y, int m, int d);
/* The date of day number n (the inverse of fc_day_number). */
void fc_day_date(int kind, long long n, long long *y, int *m, int *d);
/* Whether Y-M-D is a date of the calendar (not 2023-02-29, nor 1582-10-10 in the standard one). */
int fc_date_exists(int kind, long long y, int m, int d);
/* A time zone as UDUNITS and ISO 8601 write it after a clock: Z, UTC or GMT, or +h, -hh, +hh:mm,
 * -hhmm (hours to 14, minutes to 59). Returns the characters it takes from the start of text
 * and sets *east to the zone's offset in minutes east of UTC, or returns 0 for none of them. */
int fc_zone_offset(const char *text, int *east);

#ifdef __cplusplus
}
#endif
#endif
