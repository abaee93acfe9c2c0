/* Helpers shared by the C API tests (declared in check.h). */
#include <stdio.h>
#include <stdlib.h>
#include <threads.h>

#include "check.h"

int sentinel_storage;
static uint8_t sentinel_bytes[8] = "sentinel";

leadcore_buf sentinel_buf(void) {
    leadcore_buf b = {sentinel_bytes, 7};
    return b;
}

int is_sentinel_buf(leadcore_buf b) { return b.data == sentinel_bytes && b.len == 7; }

leadcore_buf report_of(const leadcore_error *e) {
    leadcore_buf b = {0};
    leadcore_error *inner = NULL;
    CHECK_STATUS(leadcore_error_to_json(e, &b, &inner), LEADCORE_OK, inner);
    leadcore_error_free(inner);
    return b;
}

leadcore_playbook *default_playbook(void) {
    leadcore_playbook *pb = NULL;
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_playbook_default(&pb, &err));
    return pb;
}

char *text_of(leadcore_buf b) {
    char *s = (char *)malloc(b.len + 1);
    if (s) {
        memcpy(s, b.data, b.len);
        s[b.len] = '\0';
    }
    return s;
}

int same_buf(leadcore_buf a, leadcore_buf b) {
    return a.len == b.len && a.data && b.data && memcmp(a.data, b.data, a.len) == 0;
}

void expect_error(leadcore_error *err, leadcore_status status, const char *code) {
    CHECK(err != NULL);
    if (err == NULL) return;
    CHECK(leadcore_error_status(err) == status);
    CHECK_STR_EQ(leadcore_error_code(err), code);
    CHECK(strlen(leadcore_error_message(err)) > 0);
    leadcore_buf r = report_of(err);
    char want[128];
    snprintf(want, sizeof want, "\"code\":\"%s\"", code);
    CHECK_CONTAINS(r.data, want);
    leadcore_buf_free(&r);
    leadcore_error_free(err);
}

void check_shared_across_threads(const leadcore_playbook *pb, int (*worker)(void *)) {
    enum { N = 4 };
    thrd_t threads[N];
    worker_arg args[N];
    for (int i = 0; i < N; i++) {
        args[i].pb = pb;
        args[i].ok = 0;
        CHECK(thrd_create(&threads[i], worker, &args[i]) == thrd_success);
    }
    for (int i = 0; i < N; i++) {
        CHECK(thrd_join(threads[i], NULL) == thrd_success);
        CHECK(args[i].ok);
    }
}
