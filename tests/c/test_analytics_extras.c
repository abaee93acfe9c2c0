/* Unit tests of the leadcore C API for bottlenecks, lead metrics and rep-activity metrics:
 * JSON in, JSON out, the stages of a playbook deal pipeline, the typed errors (unknown
 * stage, history out of order, empty period, NULL arguments) and outputs left untouched on
 * failure. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

#define BPERIOD "\"period\":{\"from\":\"2026-03-21T00:00:00Z\",\"to\":\"2026-03-31T00:00:00Z\"}"
#define BSTAGES "\"stages\":[\"Lead\",\"Demo\",{\"name\":\"Won\",\"kind\":\"won\"},{\"name\":\"Lost\",\"kind\":\"lost\"}]"
#define LPERIOD "\"period\":{\"from\":\"2026-02-01T00:00:00Z\",\"to\":\"2026-03-01T00:00:00Z\"}"

static void test_bottlenecks_json(void) {
    leadcore_error *err = NULL;
    leadcore_buf b = LEADCORE_BUF_INIT;
    const char *input = "{" BSTAGES "," BPERIOD ",\"leak_after\":{\"Demo\":\"10d\"},\"closest\":1,"
        "\"opportunities\":["
        "{\"id\":\"A\",\"owner\":\"ann\",\"history\":[{\"at\":\"2026-03-11T00:00:00Z\",\"stage\":\"Demo\"}]},"
        "{\"id\":\"B\",\"history\":[{\"at\":\"2026-03-10T00:00:00Z\",\"stage\":\"Lead\"},"
        "{\"at\":\"2026-03-25T00:00:00Z\",\"stage\":\"Lost\"}]}]}";
    EXPECT_OK(leadcore_bottlenecks(NULL, STR(input), &b, &err));
    char *json = text_of(b);
    CHECK(json != NULL);
    if (json) {
        CHECK_CONTAINS(json, "\"leaks\":[{\"amount\":null,\"days_in_stage\":20,\"id\":\"A\","
                             "\"owner\":\"ann\",\"seconds_in_stage\":1728000,\"stage\":\"Demo\","
                             "\"threshold_seconds\":864000}]");
        CHECK_CONTAINS(json, "\"lost_at_stage\":[{\"count\":1,\"stage\":\"Lead\",\"value\":{}}");
        CHECK_CONTAINS(json, "\"closest_to_closing\":[{\"amount\":null,\"days_in_stage\":20,\"id\":\"A\"");
        free(json);
    }
    leadcore_buf_free(&b);
}

static void test_bottlenecks_errors(void) {
    leadcore_error *err = NULL;
    leadcore_buf b = sentinel_buf();
    const char *unknown = "{" BSTAGES "," BPERIOD ",\"opportunities\":[{\"id\":\"A\",\"stage\":\"Signed\"}]}";
    EXPECT_FAILURE(leadcore_bottlenecks(NULL, STR(unknown), &b, &err), LEADCORE_UNKNOWN_STAGE,
                   "lifecycle.unknown_stage");
    const char *order = "{" BSTAGES "," BPERIOD ",\"opportunities\":[{\"id\":\"A\",\"history\":["
        "{\"at\":\"2026-03-24T00:00:00Z\",\"stage\":\"Demo\"},{\"at\":\"2026-03-22T00:00:00Z\",\"stage\":\"Lead\"}]}]}";
    EXPECT_INVALID_INPUT(leadcore_bottlenecks(NULL, STR(order), &b, &err));
    const char *empty = "{" BSTAGES ",\"period\":{\"from\":\"2026-03-21T00:00:00Z\","
                        "\"to\":\"2026-03-21T00:00:00Z\"},\"opportunities\":[]}";
    EXPECT_INVALID_INPUT(leadcore_bottlenecks(NULL, STR(empty), &b, &err));
    const char *named = "{\"pipeline\":\"new_business\"," BPERIOD ",\"opportunities\":[]}";
    EXPECT_NULL_ARG(leadcore_bottlenecks(NULL, STR(named), &b, &err));
    EXPECT_INVALID_INPUT(leadcore_bottlenecks(NULL, NULL, 0, &b, &err));
    CHECK(is_sentinel_buf(b));
    EXPECT_NULL_ARG(leadcore_bottlenecks(NULL, STR(empty), NULL, &err));

    leadcore_playbook *pb = default_playbook();
    leadcore_buf out = LEADCORE_BUF_INIT;
    EXPECT_OK(leadcore_bottlenecks(pb, STR(named), &out, &err));
    CHECK(out.len > 0);
    leadcore_buf_free(&out);
    const char *nope = "{\"pipeline\":\"nope\"," BPERIOD ",\"opportunities\":[]}";
    EXPECT_FAILURE(leadcore_bottlenecks(pb, STR(nope), &b, &err), LEADCORE_UNKNOWN_PIPELINE,
                   "lifecycle.unknown_pipeline");
    CHECK(is_sentinel_buf(b));
    leadcore_playbook_free(pb);
}

static void test_lead_metrics(void) {
    leadcore_error *err = NULL;
    leadcore_buf b = LEADCORE_BUF_INIT;
    const char *input = "{" LPERIOD ",\"by_owner\":true,\"leads\":["
        "{\"id\":\"L1\",\"owner\":\"ann\",\"history\":[{\"at\":\"2026-02-02T00:00:00Z\",\"stage\":\"MQL\"},"
        "{\"at\":\"2026-02-05T00:00:00Z\",\"stage\":\"SRL\"}]},"
        "{\"id\":\"L2\",\"history\":[{\"at\":\"2026-02-03T00:00:00Z\",\"stage\":\"MQL\"}]}]}";
    EXPECT_OK(leadcore_lead_metrics(STR(input), &b, &err));
    char *json = text_of(b);
    CHECK(json != NULL);
    if (json) {
        CHECK_CONTAINS(json, "\"mql_to_srl\":{\"benchmark\":{\"high\":0.4,\"low\":0.2},\"cohort\":2,"
                             "\"converted\":1,\"rate\":0.5,\"verdict\":\"above\"}");
        CHECK_CONTAINS(json, "\"by_owner\":[{\"key\":null,");
        free(json);
    }
    leadcore_buf_free(&b);
    b = sentinel_buf();
    const char *unknown = "{" LPERIOD ",\"leads\":[{\"id\":\"X\",\"history\":["
        "{\"at\":\"2026-02-02T00:00:00Z\",\"stage\":\"Qualified\"}]}]}";
    EXPECT_INVALID_INPUT(leadcore_lead_metrics(STR(unknown), &b, &err));
    const char *order = "{" LPERIOD ",\"leads\":[{\"id\":\"X\",\"history\":["
        "{\"at\":\"2026-02-09T00:00:00Z\",\"stage\":\"SQL\"},{\"at\":\"2026-02-02T00:00:00Z\",\"stage\":\"MQL\"}]}]}";
    EXPECT_INVALID_INPUT(leadcore_lead_metrics(STR(order), &b, &err));
    const char *empty = "{\"period\":{\"from\":\"2026-02-01T00:00:00Z\",\"to\":\"2026-02-01T00:00:00Z\"},\"leads\":[]}";
    EXPECT_INVALID_INPUT(leadcore_lead_metrics(STR(empty), &b, &err));
    EXPECT_INVALID_INPUT(leadcore_lead_metrics(LIT("{\"leads\":[]"), &b, &err));
    CHECK(is_sentinel_buf(b));
    EXPECT_NULL_ARG(leadcore_lead_metrics(STR(input), NULL, &err));
}

static void test_activity_metrics(void) {
    leadcore_error *err = NULL;
    leadcore_buf b = LEADCORE_BUF_INIT;
    const char *input = "{" LPERIOD ",\"activities\":["
        "{\"kind\":\"call\",\"at\":\"2026-02-02T00:00:00Z\",\"actor\":\"ann\"},"
        "{\"kind\":\"task_assigned\",\"at\":\"2026-02-04T00:00:00Z\",\"actor\":\"ann\",\"id\":\"t1\"},"
        "{\"kind\":\"email_opened\",\"at\":\"2026-02-05T00:00:00Z\"}]}";
    EXPECT_OK(leadcore_activity_metrics(STR(input), &b, &err));
    char *json = text_of(b);
    CHECK(json != NULL);
    if (json) {
        CHECK_CONTAINS(json, "\"activities\":3,");
        CHECK_CONTAINS(json, "\"reps\":[{\"by_kind\":{\"call\":1,\"task_assigned\":1},\"rep\":\"ann\","
                             "\"tasks\":{\"assigned\":1,\"done\":0,\"open\":1},\"total\":2}]");
        CHECK_CONTAINS(json, "\"unattributed\":1");
        free(json);
    }
    leadcore_buf_free(&b);
    b = sentinel_buf();
    const char *no_id = "{" LPERIOD ",\"activities\":[{\"kind\":\"task_done\",\"at\":\"2026-02-02T00:00:00Z\"}]}";
    EXPECT_INVALID_INPUT(leadcore_activity_metrics(STR(no_id), &b, &err));
    const char *empty = "{\"period\":{\"from\":\"2026-02-01T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"},\"activities\":[]}";
    EXPECT_INVALID_INPUT(leadcore_activity_metrics(STR(empty), &b, &err));
    CHECK(is_sentinel_buf(b));
    EXPECT_NULL_ARG(leadcore_activity_metrics(STR(input), NULL, &err));
}

void analytics_extras_tests(void) {
    run_test("analytics: bottlenecks from JSON (leaks, losses, closest)", test_bottlenecks_json);
    run_test("analytics: bottlenecks' typed errors and playbook pipelines", test_bottlenecks_errors);
    run_test("analytics: lead metrics from JSON and their errors", test_lead_metrics);
    run_test("analytics: rep-activity metrics from JSON and their errors", test_activity_metrics);
}
