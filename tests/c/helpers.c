/* Helpers shared by the C API tests (declared in check.h). */
#include <stdio.h>

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
    CHECK_STATUS(leadcore_playbook_default(&pb, &err), LEADCORE_OK, err);
    leadcore_error_free(err);
    return pb;
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
