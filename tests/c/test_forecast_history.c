/* Unit tests of the leadcore C forecast-history API: the model learned from a history whose
 * every deal closes 10 days after its creation (expectations checked by hand), the
 * backtest's rows, the hierarchy roll-up with a quota, and the typed errors (a close before
 * the creation, mixed currencies, a reporting cycle, NULL arguments). */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* A deal created on 2026-01-DD, closing 10 days later, won (value 90) or lost. */
#define HDEAL(id, cur, created, closed, won, value)                                              \
    "{\"id\":\"" id "\",\"amount\":{\"minor\":100,\"currency\":\"" cur "\"},\"created\":\"" created \
    "\",\"outcome\":{\"date\":\"" closed "\",\"won\":" won ",\"value\":" value "}}"
#define HISTORY                                                                                 \
    HDEAL("A", "USD", "2026-01-01", "2026-01-11", "true", "90") ","                             \
    HDEAL("B", "USD", "2026-01-02", "2026-01-12", "false", "0") ","                             \
    HDEAL("C", "USD", "2026-01-03", "2026-01-13", "true", "90") ","                             \
    HDEAL("D", "USD", "2026-01-04", "2026-01-14", "false", "0") ","                             \
    "{\"id\":\"X\",\"amount\":{\"minor\":1000,\"currency\":\"USD\"},\"created\":\"2026-01-25\"}"

static void test_history_json(void) {
    leadcore_error *err = NULL;
    leadcore_buf b = LEADCORE_BUF_INIT;
    /* X is 5 days old on 2026-01-30 and closes at age 10, inside the window: 1000 × 0.5 × 0.9. */
    const char *input = "{\"deals\":[" HISTORY "],\"as_of\":\"2026-01-30\",\"windows\":[{\"from\":"
                        "\"2026-01-30\",\"to\":\"2026-03-01\"}],\"model\":{\"new_deals\":false,"
                        "\"rate_spread\":false,\"seasonality\":false},\"trials\":200,\"seed\":5}";
    EXPECT_OK(leadcore_forecast_history(STR(input), &b, &err));
    char *json = text_of(b);
    CHECK(json != NULL);
    if (json) {
        CHECK_CONTAINS(json, "\"closed\":{\"total\":4,\"won\":2}");
        CHECK_CONTAINS(json, "\"realisation\":0.9");
        CHECK_CONTAINS(json, "\"expected\":450.0");
        CHECK_CONTAINS(json, "\"from_pipeline\":450.0");
        free(json);
    }
    leadcore_buf_free(&b);
}

static void test_backtest_json(void) {
    leadcore_error *err = NULL;
    leadcore_buf b = LEADCORE_BUF_INIT;
    /* As of 2026-01-27 only X (1000) is open: the fixed 40 % gives 400; nothing closes after. */
    const char *input = "{\"deals\":[" HISTORY "],\"spec\":{\"first\":\"2026-01-27\",\"count\":1,"
                        "\"window_months\":1,\"trials\":50}}";
    EXPECT_OK(leadcore_forecast_backtest(STR(input), &b, &err));
    char *json = text_of(b);
    CHECK(json != NULL);
    if (json) {
        CHECK_CONTAINS(json, "\"method\":\"fixed_40\",\"point\":400.0");
        CHECK_CONTAINS(json, "\"method\":\"historical\"");
        CHECK_CONTAINS(json, "\"reps\":[{\"actual\":0,");
        free(json);
    }
    leadcore_buf_free(&b);
}

#define ODEAL(owner, id, minor, stage, p)                                                       \
    "{\"owner\":\"" owner "\",\"deal\":{\"id\":\"" id "\",\"amount\":{\"minor\":" minor         \
    ",\"currency\":\"USD\"},\"close_date\":\"2026-02-01\",\"stage\":\"" stage                    \
    "\",\"probability\":" p "}}"

static void test_rollup_json(void) {
    leadcore_error *err = NULL;
    leadcore_buf b = LEADCORE_BUF_INIT;
    const char *input =
        "{\"hierarchy\":[{\"node\":\"vp\"},{\"node\":\"m\",\"parent\":\"vp\"},{\"node\":\"ana\","
        "\"parent\":\"m\"}],\"calendar\":{\"start_month\":1},\"categories\":{\"default\":"
        "\"pipeline\",\"stages\":{\"Won\":\"closed\"}},\"deals\":[" ODEAL("ana", "A", "400", "Won", "1.0")
        "," ODEAL("m", "B", "1200", "Demo", "0.5") "],\"quotas\":[{\"node\":\"ana\",\"period\":{"
        "\"year\":2026,\"granularity\":\"quarter\",\"index\":1},\"amount\":{\"minor\":1000,"
        "\"currency\":\"USD\"}}],\"quota_mode\":\"sum_children\"}";
    EXPECT_OK(leadcore_forecast_rollup(STR(input), &b, &err));
    char *json = text_of(b);
    CHECK(json != NULL);
    if (json) {
        /* vp: ana's quota summed up; closed 400 of 1000, open 1200 over the 600 left. */
        CHECK_CONTAINS(json, "\"attainment\":0.4,\"coverage\":2.0,\"cumulative\":{\"best_case\":"
                             "{\"amount\":400,\"count\":1,\"weighted\":400},\"closed\":{\"amount\":"
                             "400,\"count\":1,\"weighted\":400},\"commit\":{\"amount\":400,"
                             "\"count\":1,\"weighted\":400},\"pipeline\":{\"amount\":1600,"
                             "\"count\":2,\"weighted\":1000}},\"currency\":\"USD\",\"depth\":0,"
                             "\"node\":\"vp\"");
        free(json);
    }
    leadcore_buf_free(&b);
}

static void test_errors(void) {
    leadcore_error *err = NULL;
    leadcore_buf b = LEADCORE_BUF_INIT;
    const char *before = "{\"deals\":[" HDEAL("Z", "USD", "2026-01-10", "2026-01-05", "false", "0")
                         "],\"as_of\":\"2026-02-01\",\"windows\":[]}";
    CHECK(leadcore_forecast_history(STR(before), &b, &err) == LEADCORE_INVALID_INPUT);
    if (err) {
        CHECK_CONTAINS(leadcore_error_message(err), "deal Z: closed 2026-01-05 before its creation");
        leadcore_error_free(err);
        err = NULL;
    }
    const char *mixed = "{\"deals\":[" HISTORY "," HDEAL("E", "EUR", "2026-01-05", "2026-01-15",
                                                          "true", "90")
                        "],\"spec\":{\"first\":\"2026-01-20\",\"count\":1,\"window_months\":1}}";
    CHECK(leadcore_forecast_backtest(STR(mixed), &b, &err) == LEADCORE_INVALID_INPUT);
    if (err) {
        CHECK_CONTAINS(leadcore_error_message(err), "deal E: currency EUR mixed with USD");
        leadcore_error_free(err);
        err = NULL;
    }
    const char *cycle = "{\"hierarchy\":[{\"node\":\"a\",\"parent\":\"b\"},{\"node\":\"b\","
                        "\"parent\":\"a\"}],\"calendar\":{\"start_month\":1},\"deals\":[]}";
    EXPECT_FAILURE(leadcore_forecast_rollup(STR(cycle), &b, &err), LEADCORE_PLAYBOOK_INVALID,
                   "playbook.invalid");
    EXPECT_INVALID_INPUT(leadcore_forecast_history(NULL, 0, &b, &err));
    EXPECT_NULL_ARG(leadcore_forecast_backtest(STR(mixed), NULL, &err));
    EXPECT_NULL_ARG(leadcore_forecast_rollup(STR(cycle), NULL, &err));
    CHECK(b.data == NULL && b.len == 0);
}

void forecast_history_tests(void) {
    run_test("forecast history: the model and a window from JSON, checked by hand", test_history_json);
    run_test("forecast backtest: rows, scores and reps from JSON", test_backtest_json);
    run_test("forecast rollup: cumulative views, quota summed up the hierarchy", test_rollup_json);
    run_test("forecast history, backtest, rollup: typed errors", test_errors);
}
