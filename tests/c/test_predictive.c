/* Unit tests of the leadcore C predictive API (the `logistic` mode): fit from JSON lines or a
 * column object with C outcomes, probabilities and logits into C doubles, explanations as
 * JSON, the model as bytes and back (scoring identically), and NULL and bad arguments. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

static const char CONFIG[] =
    "{\"features\":[{\"name\":\"source\",\"kind\":\"categorical\",\"min_count\":2},"
    "{\"name\":\"visits\",\"kind\":\"numeric\"}],\"folds\":3,\"seed\":1}";

#define ROWS 12
static const uint8_t WON[ROWS] = {1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1};

/* The training frame as JSON lines (one row object a line; `id` is read by no feature). */
static const char TRAIN_LINES[] =
    "{\"id\":\"a\",\"source\":\"web\",\"visits\":9}\n"
    "{\"id\":\"b\",\"source\":\"fair\",\"visits\":1}\n"
    "{\"id\":\"c\",\"source\":\"web\",\"visits\":7}\n"
    "{\"id\":\"d\",\"source\":\"fair\",\"visits\":2}\n"
    "{\"id\":\"e\",\"source\":\"web\",\"visits\":null}\n"
    "{\"id\":\"f\",\"source\":\"fair\",\"visits\":0}\n"
    "{\"id\":\"g\",\"source\":\"web\",\"visits\":1}\n"
    "{\"id\":\"h\",\"visits\":3}\n"
    "{\"id\":\"i\",\"source\":\"ads\",\"visits\":8}\n"
    "{\"id\":\"j\",\"source\":\"web\",\"visits\":6.5}\n"
    "{\"id\":\"k\",\"source\":\"fair\",\"visits\":4}\n"
    "{\"id\":\"l\",\"source\":\"fair\",\"visits\":10}\n";

/* The same frame as a column object. */
static const char TRAIN_COLUMNS[] =
    "{\"source\":[\"web\",\"fair\",\"web\",\"fair\",\"web\",\"fair\",\"web\",null,\"ads\","
    "\"web\",\"fair\",\"fair\"],\"visits\":[9,1,7,2,null,0,1,3,8,6.5,4,10]}";

static const char SCORE[] =
    "{\"source\":\"web\",\"visits\":8}\n"
    "{\"source\":\"trade show\",\"visits\":null}\n"
    "{\"source\":\"fair\",\"visits\":0}\n";

static leadcore_logistic *fit(const char *frame) {
    leadcore_logistic *model = NULL;
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_logistic_fit(STR(CONFIG), STR(frame), WON, ROWS, &model, &err),
                 LEADCORE_OK, err);
    leadcore_error_free(err);
    return model;
}

static void test_fit_predict_explain(void) {
    leadcore_logistic *lines = fit(TRAIN_LINES);
    leadcore_logistic *columns = fit(TRAIN_COLUMNS);
    leadcore_error *err = NULL;
    double p[3], p2[3], z[3];
    EXPECT_OK(leadcore_logistic_predict(lines, STR(SCORE), p, 3, &err));
    EXPECT_OK(leadcore_logistic_predict(columns, STR(SCORE), p2, 3, &err));
    CHECK(memcmp(p, p2, sizeof p) == 0); /* both frame forms train the same model */
    for (int i = 0; i < 3; i++) CHECK(p[i] > 0.0 && p[i] < 1.0 && !isnan(p[i]));
    CHECK(p[0] > p[2]); /* web with many visits beats fair with none */
    EXPECT_OK(leadcore_logistic_predict_logits(lines, STR(SCORE), z, 3, &err));
    CHECK(z[0] > z[2]);

    leadcore_buf b = LEADCORE_BUF_INIT;
    EXPECT_OK(leadcore_logistic_explain(lines, STR(SCORE), &b, &err));
    CHECK(b.data != NULL && b.data[0] == '[');
    CHECK_CONTAINS(b.data, "\"feature\":\"source\"");
    CHECK_CONTAINS(b.data, "\"value\":\"(other)\""); /* an unseen category */
    CHECK_CONTAINS(b.data, "\"value\":\"(missing)\"");
    /* The first explanation's logit (keys sorted: contributions, intercept, logit) is the
     * one predict_logits gave, to the last bit. */
    const char *intercept = strstr((const char *)b.data, "\"intercept\":");
    const char *logit = intercept ? strstr(intercept, "\"logit\":") : NULL;
    CHECK(logit != NULL && strtod(logit + strlen("\"logit\":"), NULL) == z[0]);
    leadcore_buf_free(&b);

    /* An empty frame scores to nothing. */
    EXPECT_OK(leadcore_logistic_predict(lines, LIT(""), NULL, 0, &err));
    leadcore_logistic_free(lines);
    leadcore_logistic_free(columns);
}

static void test_model_as_bytes(void) {
    leadcore_logistic *model = fit(TRAIN_LINES);
    leadcore_error *err = NULL;
    leadcore_buf bytes = LEADCORE_BUF_INIT;
    EXPECT_OK(leadcore_logistic_to_json(model, &bytes, &err));
    CHECK_CONTAINS(bytes.data, "\"schema_version\":1");
    leadcore_logistic *back = NULL;
    EXPECT_OK(leadcore_logistic_from_json(bytes.data, bytes.len, &back, &err));
    double p[3], q[3];
    EXPECT_OK(leadcore_logistic_predict(model, STR(SCORE), p, 3, &err));
    EXPECT_OK(leadcore_logistic_predict(back, STR(SCORE), q, 3, &err));
    CHECK(memcmp(p, q, sizeof p) == 0);
    leadcore_buf again = LEADCORE_BUF_INIT;
    EXPECT_OK(leadcore_logistic_to_json(back, &again, &err));
    CHECK(same_buf(bytes, again));
    leadcore_buf_free(&again);
    leadcore_buf_free(&bytes);

    leadcore_logistic *bad = SENTINEL;
    EXPECT_FAILURE(leadcore_logistic_from_json(LIT("{\"schema_version\":9}"), &bad, &err),
                   LEADCORE_UNSUPPORTED_VERSION, "state.unsupported_version");
    EXPECT_INVALID_INPUT(leadcore_logistic_from_json(LIT("{\"schema_version\":1}"), &bad, &err));
    EXPECT_INVALID_INPUT(leadcore_logistic_from_json(LIT("not json"), &bad, &err));
    CHECK(bad == SENTINEL);
    leadcore_logistic_free(back);
    leadcore_logistic_free(model);
}

static void test_bad_arguments(void) {
    leadcore_logistic *model = fit(TRAIN_LINES);
    leadcore_error *err = NULL;
    leadcore_logistic *out = SENTINEL;
    static const uint8_t all_lost[ROWS] = {0};
    uint8_t two[ROWS];
    memcpy(two, WON, sizeof two);
    two[3] = 2;
    /* Fitting. */
    EXPECT_INVALID_INPUT(
        leadcore_logistic_fit(STR(CONFIG), STR(TRAIN_LINES), all_lost, ROWS, &out, &err));
    EXPECT_INVALID_INPUT(leadcore_logistic_fit(STR(CONFIG), LIT(""), NULL, 0, &out, &err));
    EXPECT_INVALID_INPUT(
        leadcore_logistic_fit(STR(CONFIG), STR(TRAIN_LINES), WON, ROWS - 1, &out, &err));
    EXPECT_INVALID_INPUT(leadcore_logistic_fit(LIT("{\"features\":[]}"), STR(TRAIN_LINES), WON,
                                               ROWS, &out, &err));
    EXPECT_INVALID_INPUT(leadcore_logistic_fit(LIT("{"), STR(TRAIN_LINES), WON, ROWS, &out, &err));
    EXPECT_INVALID_INPUT(leadcore_logistic_fit(STR(CONFIG), LIT("{\"source\":\"web\",\"visits\":\"9\"}"),
                                               WON, 1, &out, &err));
    EXPECT_FAILURE(leadcore_logistic_fit(STR(CONFIG), STR(TRAIN_LINES), two, ROWS, &out, &err),
                   LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument");
    EXPECT_NULL_ARG(leadcore_logistic_fit(STR(CONFIG), STR(TRAIN_LINES), NULL, ROWS, &out, &err));
    EXPECT_NULL_ARG(leadcore_logistic_fit(STR(CONFIG), STR(TRAIN_LINES), WON, ROWS, NULL, &err));
    EXPECT_NULL_ARG(leadcore_logistic_fit(NULL, 3, STR(TRAIN_LINES), WON, ROWS, &out, &err));
    EXPECT_BAD_UTF8(leadcore_logistic_fit(STR(CONFIG), LIT("{\"source\":\"\xff\"}"), WON, 1,
                                          &out, &err));
    CHECK(out == SENTINEL);

    /* Scoring: outputs untouched on failure. */
    double p[3] = {-1, -1, -1};
    EXPECT_FAILURE(leadcore_logistic_predict(model, STR(SCORE), p, 2, &err),
                   LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument");
    EXPECT_INVALID_INPUT(leadcore_logistic_predict(model, LIT("{\"source\":\"web\"}"), p, 1, &err));
    EXPECT_INVALID_INPUT(leadcore_logistic_predict(model, LIT("{\"source\":[1],\"visits\":[1]}"), p,
                                                   1, &err));
    EXPECT_NULL_ARG(leadcore_logistic_predict(NULL, STR(SCORE), p, 3, &err));
    EXPECT_NULL_ARG(leadcore_logistic_predict(model, STR(SCORE), NULL, 3, &err));
    EXPECT_NULL_ARG(leadcore_logistic_predict_logits(NULL, STR(SCORE), p, 3, &err));
    CHECK(p[0] == -1 && p[1] == -1 && p[2] == -1);
    leadcore_buf b = sentinel_buf();
    EXPECT_INVALID_INPUT(leadcore_logistic_explain(model, LIT("[1]"), &b, &err));
    EXPECT_NULL_ARG(leadcore_logistic_explain(NULL, STR(SCORE), &b, &err));
    EXPECT_NULL_ARG(leadcore_logistic_explain(model, STR(SCORE), NULL, &err));
    EXPECT_NULL_ARG(leadcore_logistic_to_json(NULL, &b, &err));
    EXPECT_NULL_ARG(leadcore_logistic_to_json(model, NULL, &err));
    CHECK(is_sentinel_buf(b));
    /* A NULL err is allowed: only the status reports the failure. */
    CHECK(leadcore_logistic_predict(NULL, STR(SCORE), p, 3, NULL) == LEADCORE_NULL_ARGUMENT);
    leadcore_logistic_free(NULL);
    leadcore_logistic_free(model);
}

void predictive_tests(void) {
    run_test("logistic: fit from JSON lines or columns, predict, logits, explain",
             test_fit_predict_explain);
    run_test("logistic: the model as bytes and back scores identically", test_model_as_bytes);
    run_test("logistic: NULL and bad arguments, outputs untouched", test_bad_arguments);
}
