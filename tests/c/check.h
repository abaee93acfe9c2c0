/* A tiny test harness for the leadcore C tests: plain C11, no dependencies. */
#ifndef LEADCORE_TEST_CHECK_H
#define LEADCORE_TEST_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "leadcore.h"

/* A string literal as the (ptr, len) pair the C API takes. */
#define LIT(s) (const uint8_t *)("" s), (sizeof("" s) - 1)
/* A NUL-terminated string as a (ptr, len) pair. */
#define STR(s) (const uint8_t *)(s), strlen(s)

/* Records a failed check in the current test and prints where it failed. */
void check_fail(const char *file, int line, const char *what);

#define CHECK(cond)                                        \
    do {                                                   \
        if (!(cond)) check_fail(__FILE__, __LINE__, #cond); \
    } while (0)

/* Checks a status, printing both values and the error (if any) on mismatch. */
void check_status_at(const char *file, int line, const char *expr, leadcore_status got,
                     leadcore_status want, const leadcore_error *err);
#define CHECK_STATUS(expr, want, err) \
    check_status_at(__FILE__, __LINE__, #expr, (expr), (want), (err))

/* Checks that `haystack` (NUL-terminated) contains `needle`. */
void check_contains_at(const char *file, int line, const char *haystack, const char *needle);
#define CHECK_CONTAINS(h, n) check_contains_at(__FILE__, __LINE__, (const char *)(h), (n))
#define CHECK_NOT_CONTAINS(h, n) CHECK(strstr((const char *)(h), (n)) == NULL)

/* Checks two C strings are equal. */
void check_str_eq_at(const char *file, int line, const char *got, const char *want);
#define CHECK_STR_EQ(got, want) check_str_eq_at(__FILE__, __LINE__, (const char *)(got), (want))

/* Runs one named test and counts it as passed or failed. */
void run_test(const char *name, void (*test)(void));

/* Counts an outcome computed outside run_test (e.g. one vector case). */
void count_result(const char *name, int ok);

/* Shared helpers (helpers.c). */

/* An address no library call may write through or free: outputs are preset to it and must
 * still hold it after a failed call. */
extern int sentinel_storage;
#define SENTINEL ((void *)&sentinel_storage)
/* A buffer that owns nothing the library knows; must be unchanged after a failed call. */
leadcore_buf sentinel_buf(void);
int is_sentinel_buf(leadcore_buf b);
/* The error's JSON report in a buffer the caller frees. */
leadcore_buf report_of(const leadcore_error *e);
/* The default playbook (checked), to free with leadcore_playbook_free. */
leadcore_playbook *default_playbook(void);
/* The buffer's bytes as a NUL-terminated string the caller frees (NULL if out of memory). */
char *text_of(leadcore_buf b);
/* Whether two buffers hold the same bytes. */
int same_buf(leadcore_buf a, leadcore_buf b);
/* Checks `err` holds an error with that status and code, then frees it. */
void expect_error(leadcore_error *err, leadcore_status status, const char *code);
/* Checks that `call` fails with `status` and stores an error with `code` in the caller's
 * `leadcore_error *err` (set to NULL first), then frees that error. */
#define EXPECT_FAILURE(call, status, code)   \
    do {                                     \
        err = NULL;                          \
        CHECK_STATUS(call, status, err);     \
        expect_error(err, status, code);     \
    } while (0)
/* Checks that `call` succeeds, with the caller's `leadcore_error *err` as its error out-param
 * (set to NULL first); frees the error it stored if it failed. */
#define EXPECT_OK(call)                          \
    do {                                         \
        err = NULL;                              \
        CHECK_STATUS(call, LEADCORE_OK, err);    \
        leadcore_error_free(err);                \
    } while (0)
#define EXPECT_NULL_ARG(call) EXPECT_FAILURE(call, LEADCORE_NULL_ARGUMENT, "ffi.null_argument")
#define EXPECT_BAD_UTF8(call) EXPECT_FAILURE(call, LEADCORE_INVALID_UTF8, "ffi.invalid_utf8")
#define EXPECT_INVALID_INPUT(call) EXPECT_FAILURE(call, LEADCORE_INVALID_INPUT, "input.invalid")

/* The argument of a worker run by check_shared_across_threads: the shared playbook in, and
 * whether every call the thread made gave what it should (the worker sets `ok`). */
typedef struct {
    const leadcore_playbook *pb;
    int ok;
} worker_arg;
/* Runs `worker` (given a worker_arg *) on several threads at once, all sharing `pb`, and
 * checks every thread was created, joined and reported ok. */
void check_shared_across_threads(const leadcore_playbook *pb, int (*worker)(void *));

/* The tests of each file. */
void api_tests(void);
void scoring_tests(void);
void arrow_tests(void);
void routing_tests(void);
void sla_tests(void);
void predictive_tests(void);
void analytics_tests(void);
void analytics_arrow_tests(void);
void analytics_extras_tests(void);
void forecast_tests(void);
void forecast_history_tests(void);
void vector_tests(const char *root);

#endif
