/* Runs the leadcore C tests: unit tests of the C API (lifecycle, scoring, Arrow, routing, SLA, predictive), then every
 * shared test vector.
 * Usage: leadcore_c_tests [VECTORS_DIR]   (default: tests/vectors, run from the repo root)
 * Ends with the line "N passed, M failed"; exits non-zero if M > 0. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

static int passed;
static int failed;
static int current_failed;
static const char *current_name = "";

void check_fail(const char *file, int line, const char *what) {
    if (!current_failed) printf("FAIL %s\n", current_name);
    current_failed = 1;
    printf("  %s:%d: check failed: %s\n", file, line, what);
}

void check_status_at(const char *file, int line, const char *expr, leadcore_status got,
                     leadcore_status want, const leadcore_error *err) {
    if (got == want) return;
    char what[512];
    snprintf(what, sizeof what, "%s returned %u, want %u (%s: %s)", expr, (unsigned)got,
             (unsigned)want, err ? leadcore_error_code(err) : "-",
             err ? leadcore_error_message(err) : "-");
    check_fail(file, line, what);
}

void check_contains_at(const char *file, int line, const char *haystack, const char *needle) {
    if (haystack != NULL && strstr(haystack, needle) != NULL) return;
    char what[1024];
    snprintf(what, sizeof what, "expected to find %s in %.700s", needle,
             haystack ? haystack : "(null)");
    check_fail(file, line, what);
}

void check_str_eq_at(const char *file, int line, const char *got, const char *want) {
    if (got != NULL && strcmp(got, want) == 0) return;
    char what[1024];
    snprintf(what, sizeof what, "got \"%.400s\", want \"%.400s\"", got ? got : "(null)", want);
    check_fail(file, line, what);
}

void count_result(const char *name, int ok) {
    if (ok) {
        passed++;
        printf("ok   %s\n", name);
    } else {
        failed++;
    }
}

void run_test(const char *name, void (*test)(void)) {
    current_name = name;
    current_failed = 0;
    test();
    count_result(name, !current_failed);
    current_failed = 0;
    current_name = "";
}

int main(int argc, char **argv) {
    const char *vectors = argc > 1 ? argv[1] : "tests/vectors";
    api_tests();
    scoring_tests();
    arrow_tests();
    routing_tests();
    sla_tests();
    predictive_tests();
    analytics_tests();
    analytics_arrow_tests();
    analytics_extras_tests();
    forecast_tests();
    forecast_history_tests();
    vector_tests(vectors);
    printf("%d passed, %d failed\n", passed, failed);
    return failed > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
