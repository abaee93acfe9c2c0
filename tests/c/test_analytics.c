/* Unit tests of the leadcore C analytics API: pipeline metrics from JSON (stages given, or a
 * playbook deal pipeline), grouped by manager, and the typed errors (unknown stage, mixed
 * currencies, empty period, a pipeline name without a playbook, NULL arguments). */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

#define PERIOD "\"period\":{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-04-01T00:00:00Z\"}"
#define STAGES "\"stages\":[\"Lead\",\"Demo\",{\"name\":\"Won\",\"kind\":\"won\"},{\"name\":\"Lost\",\"kind\":\"lost\"}]"
#define OPP(id, mgr, cur, amount, close, end)                                                   \
    "{\"id\":\"" id "\",\"manager\":\"" mgr "\",\"amount\":{\"minor\":" amount                  \
    ",\"currency\":\"" cur "\"},\"created_at\":\"2026-01-05T00:00:00Z\",\"history\":["          \
    "{\"at\":\"2026-01-05T00:00:00Z\",\"stage\":\"Lead\"},{\"at\":\"" close "T00:00:00Z\","     \
    "\"stage\":\"" end "\"}]}"

static void test_metrics_json(void) {
    leadcore_error *err = NULL;
    leadcore_buf b = LEADCORE_BUF_INIT;
    const char *input = "{" STAGES "," PERIOD ",\"group_by\":[\"manager\"],\"opportunities\":["
        OPP("A", "Ann", "USD", "1000", "2026-01-15", "Won") ","
        OPP("B", "Ann", "USD", "0", "2026-01-25", "Lost") ","
        OPP("C", "Bob", "USD", "300", "2026-02-04", "Won") "]}";
    EXPECT_OK(leadcore_pipeline_metrics(NULL, STR(input), &b, &err));
    char *json = text_of(b);
    CHECK(json != NULL);
    if (json) {
        CHECK_CONTAINS(json, "\"key\":{\"manager\":\"Ann\"}");
        CHECK_CONTAINS(json, "\"win_rate\":{\"expansion\":{\"lost\":0,\"rate\":null,\"won\":0},"
                             "\"lost\":1,\"new_business\":{\"lost\":1,\"rate\":0.5,\"won\":1},"
                             "\"rate\":0.5,\"won\":1}");
        CHECK_CONTAINS(json, "\"average_deal_size\":{\"currency\":\"USD\",\"minor\":300}");
        free(json);
    }
    leadcore_buf_free(&b);
}

static void test_metrics_errors(void) {
    leadcore_error *err = NULL;
    leadcore_buf b = LEADCORE_BUF_INIT;
    const char *mixed = "{" STAGES "," PERIOD ",\"opportunities\":["
        OPP("A", "Ann", "USD", "1000", "2026-01-15", "Won") ","
        OPP("B", "Ann", "EUR", "1000", "2026-01-25", "Won") "]}";
    EXPECT_INVALID_INPUT(leadcore_pipeline_metrics(NULL, STR(mixed), &b, &err));
    const char *unknown = "{" STAGES "," PERIOD ",\"opportunities\":["
        OPP("A", "Ann", "USD", "1000", "2026-01-15", "Signed") "]}";
    EXPECT_FAILURE(leadcore_pipeline_metrics(NULL, STR(unknown), &b, &err),
                   LEADCORE_UNKNOWN_STAGE, "lifecycle.unknown_stage");
    const char *empty = "{" STAGES ",\"period\":{\"from\":\"2026-01-01T00:00:00Z\","
                        "\"to\":\"2026-01-01T00:00:00Z\"},\"opportunities\":[]}";
    EXPECT_INVALID_INPUT(leadcore_pipeline_metrics(NULL, STR(empty), &b, &err));
    const char *named = "{\"pipeline\":\"deals\"," PERIOD ",\"opportunities\":[]}";
    EXPECT_NULL_ARG(leadcore_pipeline_metrics(NULL, STR(named), &b, &err));
    EXPECT_INVALID_INPUT(leadcore_pipeline_metrics(NULL, NULL, 0, &b, &err));
    EXPECT_NULL_ARG(leadcore_pipeline_metrics(NULL, STR(empty), NULL, &err));
    CHECK(b.data == NULL && b.len == 0);
}

static void test_metrics_from_playbook(void) {
    leadcore_playbook *pb = NULL;
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_playbook_default(&pb, &err));
    leadcore_buf b = LEADCORE_BUF_INIT;
    const char *input = "{\"pipeline\":\"new_business\"," PERIOD ",\"opportunities\":["
        "{\"id\":\"A\",\"stage\":\"To contact\"}]}";
    EXPECT_OK(leadcore_pipeline_metrics(pb, STR(input), &b, &err));
    CHECK(b.len > 0);
    leadcore_buf_free(&b);
    const char *nope = "{\"pipeline\":\"nope\"," PERIOD ",\"opportunities\":[]}";
    EXPECT_FAILURE(leadcore_pipeline_metrics(pb, STR(nope), &b, &err), LEADCORE_UNKNOWN_PIPELINE,
                   "lifecycle.unknown_pipeline");
    leadcore_playbook_free(pb);
}

void analytics_tests(void) {
    run_test("analytics: pipeline metrics from JSON, by manager", test_metrics_json);
    run_test("analytics: typed errors", test_metrics_errors);
    run_test("analytics: stages of a playbook deal pipeline", test_metrics_from_playbook);
}
