/* Unit tests of the leadcore C forecast API: weighted pipeline and a seeded Monte Carlo
 * from JSON, the same numbers on 1 and 4 threads, and the typed errors (negative amount,
 * bad probability, mixed currencies, NULL arguments), with the deal named. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

#define DEAL(id, minor, cur, date, stage, p)                                                    \
    "{\"id\":\"" id "\",\"amount\":{\"minor\":" minor ",\"currency\":\"" cur "\"},"              \
    "\"close_date\":\"" date "\",\"stage\":\"" stage "\",\"probability\":" p "}"
#define HEAD "{\"calendar\":{\"start_month\":1},\"categories\":{\"default\":\"pipeline\","    \
             "\"stages\":{\"Won\":\"closed\"}},\"deals\":["

static void test_forecast_json(void) {
    leadcore_error *err = NULL;
    leadcore_buf one = LEADCORE_BUF_INIT;
    leadcore_buf four = LEADCORE_BUF_INIT;
    const char *input = HEAD DEAL("A", "1000", "USD", "2026-02-10", "Proposal", "0.25") ","
        DEAL("B", "500", "USD", "2026-01-05", "Won", "1.0") ","
        DEAL("C", "4000", "USD", "2026-05-05", "Proposal", "0.5") "],"
        "\"monte_carlo\":{\"trials\":3000,\"seed\":9}}";
    EXPECT_OK(leadcore_forecast(STR(input), 1, &one, &err));
    EXPECT_OK(leadcore_forecast(STR(input), 4, &four, &err));
    char *json = text_of(one);
    CHECK(json != NULL);
    if (json) {
        CHECK_CONTAINS(json, "\"category\":\"pipeline\",\"currency\":\"USD\",\"period\":{"
                             "\"granularity\":\"quarter\",\"index\":1,\"year\":2026},"
                             "\"totals\":{\"amount\":1000,\"count\":1,\"weighted\":250}");
        CHECK_CONTAINS(json, "\"closed\":500,\"expected\":750.0");
        CHECK_CONTAINS(json, "\"seed\":9,\"trials\":3000");
        free(json);
    }
    CHECK(one.len == four.len && memcmp(one.data, four.data, one.len) == 0);
    leadcore_buf_free(&one);
    leadcore_buf_free(&four);
}

static void test_forecast_errors(void) {
    leadcore_error *err = NULL;
    leadcore_buf b = LEADCORE_BUF_INIT;
    const char *negative = HEAD DEAL("N1", "-5", "USD", "2026-02-10", "Open", "0.5") "]}";
    EXPECT_INVALID_INPUT(leadcore_forecast(STR(negative), 1, &b, &err));
    const char *prob = HEAD DEAL("P1", "5", "USD", "2026-02-10", "Open", "1.5") "]}";
    CHECK(leadcore_forecast(STR(prob), 1, &b, &err) == LEADCORE_INVALID_INPUT);
    if (err) {
        CHECK_CONTAINS(leadcore_error_message(err), "deal P1");
        leadcore_error_free(err);
        err = NULL;
    }
    const char *mixed = HEAD DEAL("M1", "5", "USD", "2026-02-10", "Open", "0.5") ","
        DEAL("M2", "5", "EUR", "2026-02-10", "Open", "0.5") "],"
        "\"monte_carlo\":{\"trials\":10,\"seed\":1}}";
    CHECK(leadcore_forecast(STR(mixed), 2, &b, &err) == LEADCORE_INVALID_INPUT);
    if (err) {
        CHECK_CONTAINS(leadcore_error_message(err), "deal M2: mixed currencies");
        leadcore_error_free(err);
        err = NULL;
    }
    EXPECT_INVALID_INPUT(leadcore_forecast(NULL, 0, 1, &b, &err));
    EXPECT_NULL_ARG(leadcore_forecast(STR(negative), 1, NULL, &err));
    CHECK(b.data == NULL && b.len == 0);
}

void forecast_tests(void) {
    run_test("forecast: weighted rows and Monte Carlo from JSON, any thread count", test_forecast_json);
    run_test("forecast: typed errors naming the deal", test_forecast_errors);
}
