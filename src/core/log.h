/* log.h: messages to stderr, prefixed "flowcast: ", and the --quiet switch. */
#ifndef FC_LOG_H
#define FC_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

void fc_log_set_quiet(int quiet);
int fc_log_quiet(void);

/* Informational lines; silent under --quiet. */
void fc_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warnings and errors are printed even under --quiet. */
void fc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fc_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif
#endif
