/* Unit tests of the leadcore C API: statuses, error objects, ownership, outputs written only
 * on success, NULL/UTF-8/enum checks, and the lifecycle calls on the default playbook. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

#define START_L1 "{\"pipeline\":\"lead\",\"record_id\":\"L-1\",\"now\":\"2026-01-05T09:00:00Z\"}"
#define MOVE(to, role, score, now)                                                       \
    "{\"request\":{\"to\":\"" to "\",\"actor\":{\"id\":\"u1\",\"role\":\"" role "\"},"   \
    "\"now\":\"" now "\"},\"subject\":{\"lead\":{\"id\":\"L-1\"}},"                      \
    "\"scores\":{\"lead\":" score "}}"
#define TO_MQL(role, score) MOVE("MQL", role, score, "2026-01-05T11:00:00Z")

/* 2026-01-05T09:00:00Z in Unix epoch milliseconds. */
static const int64_t T0_MS = INT64_C(1767603600000);

static leadcore_state *start_l1(const leadcore_playbook *pb) {
    leadcore_state *st = NULL;
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_state_start(pb, LIT(START_L1), &st, &err));
    return st;
}

static leadcore_buf state_json(const leadcore_state *st) {
    leadcore_buf b = {0};
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_state_to_json(st, &b, &err));
    return b;
}

static size_t count_of(const char *haystack, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

static void test_version(void) {
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", LEADCORE_VERSION_MAJOR, LEADCORE_VERSION_MINOR,
             LEADCORE_VERSION_PATCH);
    CHECK_STR_EQ(leadcore_version(), want);
    CHECK(LEADCORE_ABI_VERSION == 1);
    CHECK(LEADCORE_OK == 0);
    CHECK(LEADCORE_PLAYBOOK_PARSE == 1 && LEADCORE_INVALID_INPUT == 11);
    CHECK(LEADCORE_NULL_ARGUMENT == 12 && LEADCORE_PANIC == 15);
    CHECK(LEADCORE_BAD_EVENT == 16); /* core codes added later follow LEADCORE_PANIC */
    CHECK(LEADCORE_INVALID_HISTORY == 17);
    CHECK(LEADCORE_FORMAT_JSON == 0 && LEADCORE_FORMAT_TOML == 1 && LEADCORE_FORMAT_YAML == 2);
}

static void test_default_playbook_loads_and_round_trips(void) {
    leadcore_playbook *pb = default_playbook();
    CHECK(pb != NULL);
    leadcore_buf json = {0};
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_playbook_to_json(pb, &json, &err), LEADCORE_OK, err);
    CHECK(json.data != NULL && json.len > 2);
    CHECK(json.data[json.len] == '\0');
    CHECK(strlen((const char *)json.data) == json.len);
    CHECK(json.data[0] == '{');
    CHECK_CONTAINS(json.data, "\"name\":\"Suspect\"");
    CHECK_CONTAINS(json.data, "\"name\":\"marketing_only\"");

    leadcore_playbook *again = NULL;
    CHECK_STATUS(leadcore_playbook_parse(LEADCORE_FORMAT_JSON, json.data, json.len, &again, &err),
                 LEADCORE_OK, err);
    leadcore_buf json2 = {0};
    CHECK_STATUS(leadcore_playbook_to_json(again, &json2, &err), LEADCORE_OK, err);
    CHECK(same_buf(json, json2));

    leadcore_buf_free(&json);
    leadcore_buf_free(&json2);
    CHECK(json.data == NULL && json.len == 0);
    leadcore_playbook_free(again);
    leadcore_playbook_free(pb);
    CHECK(err == NULL);
    leadcore_error_free(err);
}

static void test_playbook_in_toml_and_yaml(void) {
    static const char toml[] =
        "schema_version = 1\n[lifecycle]\nname = \"lead\"\ninitial = \"New\"\n"
        "stages = [{ name = \"New\" }, { name = \"Qualified\" }]\n"
        "transitions = [{ from = \"New\", to = \"Qualified\" }]\n";
    static const char yaml[] =
        "schema_version: 1\nlifecycle:\n  name: lead\n  initial: New\n"
        "  stages: [{name: New}, {name: Qualified}]\n"
        "  transitions: [{from: New, to: Qualified}]\n";
    leadcore_playbook *a = NULL, *b = NULL;
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_playbook_parse(LEADCORE_FORMAT_TOML, STR(toml), &a, &err), LEADCORE_OK,
                 err);
    CHECK_STATUS(leadcore_playbook_parse(LEADCORE_FORMAT_YAML, STR(yaml), &b, &err), LEADCORE_OK,
                 err);
    leadcore_buf ja = {0}, jb = {0};
    CHECK_STATUS(leadcore_playbook_to_json(a, &ja, &err), LEADCORE_OK, err);
    CHECK_STATUS(leadcore_playbook_to_json(b, &jb, &err), LEADCORE_OK, err);
    CHECK(same_buf(ja, jb));
    leadcore_buf_free(&ja);
    leadcore_buf_free(&jb);
    leadcore_playbook_free(a);
    leadcore_playbook_free(b);
    leadcore_error_free(err);
}

static void expect_parse_error(leadcore_format format, const char *text, const char *fmt_name,
                               const char *path) {
    leadcore_playbook *pb = SENTINEL;
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_playbook_parse(format, STR(text), &pb, &err), LEADCORE_PLAYBOOK_PARSE,
                 err);
    CHECK(pb == SENTINEL);
    if (err == NULL) return;
    CHECK_STR_EQ(leadcore_error_code(err), "playbook.parse");
    leadcore_buf r = report_of(err);
    CHECK(r.data != NULL && r.data[r.len] == '\0');
    CHECK_CONTAINS(r.data, "{\"code\":\"playbook.parse\",");
    CHECK_CONTAINS(r.data, "\"parse\":{");
    CHECK_CONTAINS(r.data, "\"path\":\"");
    char want[128];
    snprintf(want, sizeof want, "\"format\":\"%s\"", fmt_name);
    CHECK_CONTAINS(r.data, want);
    if (path) {
        snprintf(want, sizeof want, "\"path\":\"%s\"", path);
        CHECK_CONTAINS(r.data, want);
    }
    leadcore_buf_free(&r);
    leadcore_error_free(err);
}

static void test_parse_errors_carry_their_location(void) {
    expect_parse_error(LEADCORE_FORMAT_JSON, "{\"schema_version\": 1, \"lifecycle\": [", "json",
                       NULL);
    expect_parse_error(LEADCORE_FORMAT_TOML, "schema_version = = 1\n", "toml", NULL);
    expect_parse_error(LEADCORE_FORMAT_YAML, "lifecycle: [", "yaml", NULL);
    expect_parse_error(LEADCORE_FORMAT_JSON, "{\"schema_version\": \"one\"}", "json",
                       "schema_version");
    expect_parse_error(LEADCORE_FORMAT_YAML, "schema_version: one\n", "yaml", "schema_version");
}

static void test_invalid_playbook_lists_every_issue(void) {
    static const char text[] =
        "{\"schema_version\": 2, \"lifecycle\": {\"name\": \"lead\", \"initial\": \"Nope\","
        " \"stages\": [{\"name\": \"A\"}]}}";
    leadcore_playbook *pb = SENTINEL;
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_playbook_parse(LEADCORE_FORMAT_JSON, STR(text), &pb, &err),
                 LEADCORE_PLAYBOOK_INVALID, err);
    CHECK(pb == SENTINEL);
    if (err == NULL) return;
    CHECK_STR_EQ(leadcore_error_code(err), "playbook.invalid");
    leadcore_buf r = report_of(err);
    CHECK_CONTAINS(r.data, "\"issues\":[");
    CHECK_CONTAINS(r.data, "\"path\":\"schema_version\"");
    CHECK_CONTAINS(r.data, "\"path\":\"lifecycle.initial\"");
    CHECK_CONTAINS(r.data, "\"code\":\"pipeline.unknown_initial\"");
    CHECK(count_of((const char *)r.data, "\"path\":") >= 2);
    leadcore_buf_free(&r);
    leadcore_error_free(err);
}

static void test_guard_failure_names_the_guard_and_keeps_the_state(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_state *st = start_l1(pb);
    leadcore_buf before = state_json(st);
    CHECK_CONTAINS(before.data, "\"current\":\"Suspect\"");

    leadcore_buf outcome = sentinel_buf();
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_state_transition(pb, st, LIT(TO_MQL("sdr", "250")), &outcome, &err),
                 LEADCORE_GUARD_FAILED, err);
    CHECK(is_sentinel_buf(outcome));
    CHECK(err != NULL);
    if (err != NULL) {
        CHECK_STR_EQ(leadcore_error_code(err), "lifecycle.guard_failed");
        CHECK_CONTAINS(leadcore_error_message(err), "marketing_only");
        leadcore_buf r = report_of(err);
        CHECK_CONTAINS(r.data, "\"failed_guards\":[{");
        CHECK_CONTAINS(r.data, "\"guard\":\"marketing_only\"");
        CHECK_CONTAINS(r.data, "\"from\":\"Suspect\"");
        CHECK_CONTAINS(r.data, "\"to\":\"MQL\"");
        CHECK_NOT_CONTAINS(r.data, "score_100"); /* 250 points pass the score guard */
        leadcore_buf_free(&r);
        leadcore_error_free(err);
    }
    leadcore_buf after = state_json(st);
    CHECK(same_buf(before, after));

    leadcore_buf_free(&before);
    leadcore_buf_free(&after);
    leadcore_state_free(st);
    leadcore_playbook_free(pb);
}

static void test_marketing_makes_an_mql_and_notify_is_emitted(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_state *st = start_l1(pb);
    leadcore_buf outcome = {0};
    leadcore_error *err = NULL;
    CHECK_STATUS(
        leadcore_state_transition(pb, st, LIT(TO_MQL("marketing", "120")), &outcome, &err),
        LEADCORE_OK, err);
    CHECK(err == NULL);
    CHECK(outcome.data != NULL && outcome.data[outcome.len] == '\0');
    CHECK_CONTAINS(outcome.data, "\"kind\":\"notify\"");
    CHECK_CONTAINS(outcome.data, "\"from\":\"Suspect\"");
    CHECK_CONTAINS(outcome.data, "\"to\":\"MQL\"");
    CHECK_CONTAINS(outcome.data, "\"at\":\"2026-01-05T11:00:00Z\"");
    leadcore_buf s = state_json(st);
    CHECK_CONTAINS(s.data, "\"current\":\"MQL\"");
    CHECK_CONTAINS(s.data, "\"highest\":\"MQL\"");

    /* Dwell: 2 h in Suspect, then 3 h in MQL up to 14:00. */
    leadcore_buf dwell = {0};
    CHECK_STATUS(leadcore_state_dwell(st, T0_MS + 5 * 3600 * INT64_C(1000), &dwell, &err),
                 LEADCORE_OK, err);
    CHECK_STR_EQ(dwell.data,
                 "[{\"seconds\":7200,\"stage\":\"Suspect\",\"visits\":1},"
                 "{\"seconds\":10800,\"stage\":\"MQL\",\"visits\":1}]");

    leadcore_buf_free(&dwell);
    leadcore_buf_free(&s);
    leadcore_buf_free(&outcome);
    leadcore_state_free(st);
    leadcore_playbook_free(pb);
}

static void test_every_lifecycle_refusal_has_its_status(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_state *st = start_l1(pb);
    leadcore_buf before = state_json(st);
    struct {
        const char *input;
        leadcore_status status;
        const char *code;
    } cases[] = {
        {MOVE("Nowhere", "marketing", "120", "2026-01-05T11:00:00Z"), LEADCORE_UNKNOWN_STAGE,
         "lifecycle.unknown_stage"},
        {MOVE("Suspect", "marketing", "120", "2026-01-05T11:00:00Z"), LEADCORE_NOT_ALLOWED,
         "lifecycle.not_allowed"},
        {MOVE("MQL", "marketing", "120", "2026-01-05T08:00:00Z"), LEADCORE_TIME_WENT_BACKWARDS,
         "lifecycle.time_went_backwards"},
        {MOVE("Nurture", "marketing", "120", "2026-01-05T11:00:00Z"), LEADCORE_REASON_REQUIRED,
         "lifecycle.reason_required"},
        {"{\"request\":{\"to\":\"Disqualified\",\"actor\":{\"id\":\"u1\",\"role\":\"sdr\"},"
         "\"now\":\"2026-01-05T11:00:00Z\",\"reason\":\"bored\"}}",
         LEADCORE_INVALID_REASON, "lifecycle.invalid_reason"},
        {"{\"request\":", LEADCORE_INVALID_INPUT, "input.invalid"},
        {"{\"request\":{\"to\":\"MQL\"}}", LEADCORE_INVALID_INPUT, "input.invalid"},
        {"", LEADCORE_INVALID_INPUT, "input.invalid"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        leadcore_buf outcome = sentinel_buf();
        leadcore_error *err = NULL;
        leadcore_status s = leadcore_state_transition(pb, st, STR(cases[i].input), &outcome, &err);
        if (s != cases[i].status) printf("  case %zu: %s\n", i, cases[i].input);
        CHECK_STATUS(s, cases[i].status, err);
        CHECK(is_sentinel_buf(outcome));
        expect_error(err, cases[i].status, cases[i].code);
    }
    /* The serde message reaches the caller, with the path of the value that failed (the
     * core's parser, shared with the Python door). */
    leadcore_error *err = NULL;
    leadcore_buf outcome = sentinel_buf();
    leadcore_state_transition(pb, st, LIT("{\"request\":{\"to\":\"MQL\"}}"), &outcome, &err);
    CHECK_CONTAINS(leadcore_error_message(err), "transition input at `request`: ");
    CHECK_CONTAINS(leadcore_error_message(err), "actor");
    leadcore_error_free(err);

    leadcore_buf after = state_json(st);
    CHECK(same_buf(before, after));
    leadcore_buf_free(&before);
    leadcore_buf_free(&after);
    leadcore_state_free(st);
    leadcore_playbook_free(pb);
}

/* History entries for replay tests: a start, then moves. */
#define H_START(to) "{\"at\":\"2026-01-05T09:00:00Z\",\"from\":null,\"to\":\"" to "\"}"
#define H_MOVE(at, from, to, role)                                                     \
    "{\"at\":\"" at "\",\"from\":\"" from "\",\"to\":\"" to "\",\"actor\":{\"id\":\"u1\"," \
    "\"role\":\"" role "\"}}"
#define REPLAY(history, trust) \
    "{\"pipeline\":\"lead\",\"record_id\":\"L-1\",\"history\":[" history "]" trust "}"

static void test_replay_checks_every_history_entry(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_error *err = NULL;

    /* A real history replays to an equal state. */
    leadcore_state *live = start_l1(pb);
    leadcore_buf outcome = {0};
    EXPECT_OK(leadcore_state_transition(pb, live, LIT(TO_MQL("marketing", "120")), &outcome, &err));
    leadcore_buf_free(&outcome);
    leadcore_buf want = state_json(live);
    leadcore_state *again = NULL;
    EXPECT_OK(leadcore_state_replay(
        pb,
        LIT(REPLAY(H_START("Suspect") "," H_MOVE("2026-01-05T11:00:00Z", "Suspect", "MQL",
                                                    "marketing"),
                   "")),
        &again, &err));
    if (again != NULL) {
        leadcore_buf got = state_json(again);
        CHECK(same_buf(want, got));
        leadcore_buf_free(&got);
    }

    /* Every bad entry at once, each with its index; the output is left alone. */
    static const char bad[] = REPLAY(
        H_START("Suspect") "," H_MOVE("2026-01-05T10:00:00Z", "Suspect", "Won", "ae") ","
        H_MOVE("2026-01-05T08:00:00Z", "Won", "Atlantis", "ae"), "");
    leadcore_state *out = SENTINEL;
    err = NULL;
    CHECK_STATUS(leadcore_state_replay(pb, STR(bad), &out, &err), LEADCORE_INVALID_HISTORY, err);
    CHECK(out == SENTINEL);
    if (err) {
        leadcore_buf r = report_of(err);
        CHECK_CONTAINS(r.data, "\"entries\":[{\"code\":\"history.undeclared\",\"index\":1,");
        CHECK_CONTAINS(r.data, "{\"code\":\"history.time_went_backwards\",\"index\":2,");
        CHECK_CONTAINS(r.data, "{\"code\":\"history.unknown_stage\",\"index\":2,");
        CHECK_CONTAINS(r.data, "\"pipeline\":\"lead\"");
        CHECK(count_of((const char *)r.data, "\"index\":") == 3);
        leadcore_buf_free(&r);
    }
    expect_error(err, LEADCORE_INVALID_HISTORY, "lifecycle.invalid_history");

    /* trust_history skips the actor-role guard, never the undeclared move. */
    static const char system_mql[] =
        REPLAY(H_START("Suspect") "," H_MOVE("2026-01-05T10:00:00Z", "Suspect", "MQL", "system"),
               ",\"trust_history\":true");
    leadcore_state *trusted = NULL;
    EXPECT_OK(leadcore_state_replay(pb, STR(system_mql), &trusted, &err));
    static const char strict_mql[] =
        REPLAY(H_START("Suspect") "," H_MOVE("2026-01-05T10:00:00Z", "Suspect", "MQL", "system"),
               "");
    out = SENTINEL;
    EXPECT_FAILURE(leadcore_state_replay(pb, STR(strict_mql), &out, &err),
                   LEADCORE_INVALID_HISTORY, "lifecycle.invalid_history");
    static const char trusted_won[] = REPLAY(
        H_START("Suspect") "," H_MOVE("2026-01-05T10:00:00Z", "Suspect", "Won", "ae"),
        ",\"trust_history\":true");
    EXPECT_FAILURE(leadcore_state_replay(pb, STR(trusted_won), &out, &err),
                   LEADCORE_INVALID_HISTORY, "lifecycle.invalid_history");

    /* An empty history, bad JSON and an unknown pipeline keep their own statuses. */
    EXPECT_INVALID_INPUT(leadcore_state_replay(pb, LIT(REPLAY("", "")), &out, &err));
    EXPECT_INVALID_INPUT(leadcore_state_replay(pb, LIT("{\"pipeline\":\"lead\"}"), &out, &err));
    EXPECT_FAILURE(leadcore_state_replay(
                       pb,
                       LIT("{\"pipeline\":\"nope\",\"record_id\":\"X\",\"history\":[" H_START(
                           "Suspect") "]}"),
                       &out, &err),
                   LEADCORE_UNKNOWN_PIPELINE, "lifecycle.unknown_pipeline");
    CHECK(out == SENTINEL);

    leadcore_buf_free(&want);
    leadcore_state_free(again);
    leadcore_state_free(trusted);
    leadcore_state_free(live);
    leadcore_playbook_free(pb);
}

static void test_typed_start_and_state_round_trip(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_state *a = NULL, *b = NULL;
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_state_new(pb, LIT("lead"), LIT("L-1"), T0_MS, &a, &err), LEADCORE_OK,
                 err);
    leadcore_state *c = start_l1(pb);
    leadcore_buf ja = state_json(a), jc = state_json(c);
    CHECK(same_buf(ja, jc)); /* typed and JSON starts agree */
    CHECK_CONTAINS(ja.data, "\"entered_at\":\"2026-01-05T09:00:00Z\"");
    CHECK_CONTAINS(ja.data, "\"schema_version\":1");

    CHECK_STATUS(leadcore_state_from_json(ja.data, ja.len, &b, &err), LEADCORE_OK, err);
    leadcore_buf jb = state_json(b);
    CHECK(same_buf(ja, jb));

    /* Deal pipelines start too; unknown pipelines are refused with their name. */
    leadcore_state *d = NULL;
    CHECK_STATUS(leadcore_state_new(pb, LIT("new_business"), LIT("O-1"), T0_MS, &d, &err),
                 LEADCORE_OK, err);
    leadcore_state *e = SENTINEL;
    CHECK_STATUS(leadcore_state_new(pb, LIT("nope"), LIT("X"), T0_MS, &e, &err),
                 LEADCORE_UNKNOWN_PIPELINE, err);
    CHECK(e == SENTINEL);
    if (err) {
        leadcore_buf r = report_of(err);
        CHECK_CONTAINS(r.data, "\"pipeline\":\"nope\"");
        leadcore_buf_free(&r);
    }
    leadcore_error_free(err);
    err = NULL;
    CHECK_STATUS(leadcore_state_start(pb, LIT("{\"pipeline\":\"nope\",\"record_id\":\"X\","
                                              "\"now\":\"2026-01-05T09:00:00Z\"}"),
                                      &e, &err),
                 LEADCORE_UNKNOWN_PIPELINE, err);
    expect_error(err, LEADCORE_UNKNOWN_PIPELINE, "lifecycle.unknown_pipeline");
    err = NULL;
    CHECK_STATUS(leadcore_state_start(pb, LIT("{\"pipeline\":\"lead\"}"), &e, &err),
                 LEADCORE_INVALID_INPUT, err);
    CHECK_CONTAINS(leadcore_error_message(err), "start input: ");
    expect_error(err, LEADCORE_INVALID_INPUT, "input.invalid");
    err = NULL;
    /* Times chrono cannot represent are an invalid argument. */
    CHECK_STATUS(leadcore_state_new(pb, LIT("lead"), LIT("X"), INT64_MAX, &e, &err),
                 LEADCORE_INVALID_ARGUMENT, err);
    expect_error(err, LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument");
    err = NULL;
    leadcore_buf dw = sentinel_buf();
    CHECK_STATUS(leadcore_state_dwell(a, INT64_MIN, &dw, &err), LEADCORE_INVALID_ARGUMENT, err);
    CHECK(is_sentinel_buf(dw));
    expect_error(err, LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument");
    CHECK(e == SENTINEL);

    leadcore_buf_free(&ja);
    leadcore_buf_free(&jb);
    leadcore_buf_free(&jc);
    leadcore_state_free(a);
    leadcore_state_free(b);
    leadcore_state_free(c);
    leadcore_state_free(d);
    leadcore_playbook_free(pb);
}

static void test_stored_states_are_checked(void) {
    struct {
        const char *json;
        leadcore_status status;
        const char *code;
    } cases[] = {
        {"{\"schema_version\":99,\"pipeline\":\"lead\",\"record_id\":\"L\",\"current\":\"Suspect\","
         "\"highest\":\"Suspect\",\"entered_at\":\"2026-01-05T09:00:00Z\",\"history\":[{\"at\":"
         "\"2026-01-05T09:00:00Z\",\"from\":null,\"to\":\"Suspect\"}]}",
         LEADCORE_UNSUPPORTED_VERSION, "state.unsupported_version"},
        {"{\"schema_version\":1,\"pipeline\":\"lead\",\"record_id\":\"L\",\"current\":\"MQL\","
         "\"highest\":\"Suspect\",\"entered_at\":\"2026-01-05T09:00:00Z\",\"history\":[{\"at\":"
         "\"2026-01-05T09:00:00Z\",\"from\":null,\"to\":\"Suspect\"}]}",
         LEADCORE_INVALID_INPUT, "input.invalid"},
        {"{}", LEADCORE_INVALID_INPUT, "input.invalid"},
        {"[1, 2", LEADCORE_INVALID_INPUT, "input.invalid"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        leadcore_state *st = SENTINEL;
        leadcore_error *err = NULL;
        CHECK_STATUS(leadcore_state_from_json(STR(cases[i].json), &st, &err), cases[i].status,
                     err);
        CHECK(st == SENTINEL);
        expect_error(err, cases[i].status, cases[i].code);
    }
}

static void test_rfc3339_times(void) {
    int64_t ms = 42;
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_time_parse_rfc3339(LIT("2026-01-05T09:00:00Z"), &ms, &err), LEADCORE_OK,
                 err);
    CHECK(ms == T0_MS);
    CHECK_STATUS(leadcore_time_parse_rfc3339(LIT("2026-01-05T10:00:00.250+01:00"), &ms, &err),
                 LEADCORE_OK, err);
    CHECK(ms == T0_MS + 250);
    ms = 42;
    CHECK_STATUS(leadcore_time_parse_rfc3339(LIT("2026-01-05 nine o'clock"), &ms, &err),
                 LEADCORE_INVALID_INPUT, err);
    CHECK(ms == 42);
    expect_error(err, LEADCORE_INVALID_INPUT, "input.invalid");
}

static void test_null_arguments_are_refused(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_state *st = start_l1(pb);
    leadcore_playbook *pb_out = SENTINEL;
    leadcore_state *st_out = SENTINEL;
    leadcore_buf buf = sentinel_buf();
    int64_t ms = 42;
    leadcore_error *err = NULL;

    EXPECT_NULL_ARG(leadcore_playbook_parse(LEADCORE_FORMAT_JSON, LIT("{}"), NULL, &err));
    EXPECT_NULL_ARG(leadcore_playbook_parse(LEADCORE_FORMAT_JSON, NULL, 5, &pb_out, &err));
    EXPECT_NULL_ARG(leadcore_playbook_default(NULL, &err));
    EXPECT_NULL_ARG(leadcore_playbook_to_json(NULL, &buf, &err));
    EXPECT_NULL_ARG(leadcore_playbook_to_json(pb, NULL, &err));
    EXPECT_NULL_ARG(leadcore_state_start(NULL, LIT(START_L1), &st_out, &err));
    EXPECT_NULL_ARG(leadcore_state_start(pb, NULL, 3, &st_out, &err));
    EXPECT_NULL_ARG(leadcore_state_start(pb, LIT(START_L1), NULL, &err));
    EXPECT_NULL_ARG(leadcore_state_new(NULL, LIT("lead"), LIT("L"), T0_MS, &st_out, &err));
    EXPECT_NULL_ARG(leadcore_state_new(pb, NULL, 4, LIT("L"), T0_MS, &st_out, &err));
    EXPECT_NULL_ARG(leadcore_state_new(pb, LIT("lead"), NULL, 1, T0_MS, &st_out, &err));
    EXPECT_NULL_ARG(leadcore_state_new(pb, LIT("lead"), LIT("L"), T0_MS, NULL, &err));
    EXPECT_NULL_ARG(leadcore_state_from_json(NULL, 2, &st_out, &err));
    EXPECT_NULL_ARG(leadcore_state_from_json(LIT("{}"), NULL, &err));
    EXPECT_NULL_ARG(leadcore_state_to_json(NULL, &buf, &err));
    EXPECT_NULL_ARG(leadcore_state_to_json(st, NULL, &err));
    EXPECT_NULL_ARG(leadcore_state_transition(NULL, st, LIT(TO_MQL("marketing", "120")), &buf,
                                              &err));
    EXPECT_NULL_ARG(leadcore_state_transition(pb, NULL, LIT(TO_MQL("marketing", "120")), &buf,
                                              &err));
    EXPECT_NULL_ARG(leadcore_state_transition(pb, st, NULL, 10, &buf, &err));
    EXPECT_NULL_ARG(leadcore_state_transition(pb, st, LIT(TO_MQL("marketing", "120")), NULL,
                                              &err));
    EXPECT_NULL_ARG(leadcore_state_replay(NULL, LIT("{}"), &st_out, &err));
    EXPECT_NULL_ARG(leadcore_state_replay(pb, NULL, 2, &st_out, &err));
    EXPECT_NULL_ARG(leadcore_state_replay(pb, LIT("{}"), NULL, &err));
    EXPECT_NULL_ARG(leadcore_state_dwell(NULL, T0_MS, &buf, &err));
    EXPECT_NULL_ARG(leadcore_state_dwell(st, T0_MS, NULL, &err));
    EXPECT_NULL_ARG(leadcore_time_parse_rfc3339(NULL, 20, &ms, &err));
    EXPECT_NULL_ARG(leadcore_time_parse_rfc3339(LIT("2026-01-05T09:00:00Z"), NULL, &err));
    EXPECT_NULL_ARG(leadcore_error_to_json(NULL, &buf, &err));

    /* The error of a NULL argument names it, and its report is {"code","message"}. */
    err = NULL;
    leadcore_playbook_default(NULL, &err);
    CHECK_STR_EQ(leadcore_error_message(err), "argument `out` is NULL");
    leadcore_buf r = report_of(err);
    CHECK_STR_EQ(r.data, "{\"code\":\"ffi.null_argument\",\"message\":\"argument `out` is NULL\"}");
    leadcore_buf_free(&r);
    /* ... and error_to_json refuses a NULL out without touching anything. */
    leadcore_error *inner = NULL;
    CHECK_STATUS(leadcore_error_to_json(err, NULL, &inner), LEADCORE_NULL_ARGUMENT, inner);
    leadcore_error_free(inner);
    leadcore_error_free(err);

    /* Accessors take NULL too. */
    CHECK(leadcore_error_status(NULL) == LEADCORE_NULL_ARGUMENT);
    CHECK_STR_EQ(leadcore_error_code(NULL), "");
    CHECK_STR_EQ(leadcore_error_message(NULL), "");

    /* NULL with length 0 is the empty string: a parse error, not a NULL argument. */
    err = NULL;
    CHECK_STATUS(leadcore_playbook_parse(LEADCORE_FORMAT_JSON, NULL, 0, &pb_out, &err),
                 LEADCORE_PLAYBOOK_PARSE, err);
    leadcore_error_free(err);
    err = NULL;
    CHECK_STATUS(leadcore_state_new(pb, LIT("lead"), NULL, 0, T0_MS, &st_out, &err), LEADCORE_OK,
                 err);
    leadcore_state_free(st_out);
    st_out = SENTINEL;

    CHECK(pb_out == SENTINEL && st_out == SENTINEL && is_sentinel_buf(buf) && ms == 42);
    leadcore_state_free(st);
    leadcore_playbook_free(pb);
}

static void test_invalid_utf8_is_refused(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_state *st = start_l1(pb);
    leadcore_buf before = state_json(st);
    static const uint8_t bad[] = {'{', '"', 0xff, 0xfe, '"', '}'};
    leadcore_playbook *pb_out = SENTINEL;
    leadcore_state *st_out = SENTINEL;
    leadcore_buf buf = sentinel_buf();
    int64_t ms = 42;
    leadcore_error *err = NULL;

    EXPECT_BAD_UTF8(leadcore_playbook_parse(LEADCORE_FORMAT_YAML, bad, sizeof bad, &pb_out, &err));
    EXPECT_BAD_UTF8(leadcore_state_start(pb, bad, sizeof bad, &st_out, &err));
    EXPECT_BAD_UTF8(leadcore_state_new(pb, bad, sizeof bad, LIT("L"), T0_MS, &st_out, &err));
    EXPECT_BAD_UTF8(leadcore_state_new(pb, LIT("lead"), bad, sizeof bad, T0_MS, &st_out, &err));
    EXPECT_BAD_UTF8(leadcore_state_from_json(bad, sizeof bad, &st_out, &err));
    EXPECT_BAD_UTF8(leadcore_state_replay(pb, bad, sizeof bad, &st_out, &err));
    EXPECT_BAD_UTF8(leadcore_state_transition(pb, st, bad, sizeof bad, &buf, &err));
    EXPECT_BAD_UTF8(leadcore_time_parse_rfc3339(bad, sizeof bad, &ms, &err));

    /* Valid multi-byte UTF-8 passes through unchanged. */
    leadcore_state *u = NULL;
    err = NULL;
    CHECK_STATUS(
        leadcore_state_new(pb, LIT("lead"), LIT("L-\xc3\xa9\xe2\x82\xac"), T0_MS, &u, &err),
        LEADCORE_OK, err);
    leadcore_buf ju = state_json(u);
    CHECK_CONTAINS(ju.data, "\"record_id\":\"L-\xc3\xa9\xe2\x82\xac\"");
    leadcore_buf_free(&ju);
    leadcore_state_free(u);

    leadcore_buf after = state_json(st);
    CHECK(same_buf(before, after));
    CHECK(pb_out == SENTINEL && st_out == SENTINEL && is_sentinel_buf(buf) && ms == 42);
    leadcore_buf_free(&before);
    leadcore_buf_free(&after);
    leadcore_state_free(st);
    leadcore_playbook_free(pb);
}

static void test_unknown_format_is_an_invalid_argument(void) {
    const leadcore_format formats[] = {3, 7, UINT32_MAX};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        leadcore_playbook *pb = SENTINEL;
        leadcore_error *err = NULL;
        CHECK_STATUS(leadcore_playbook_parse(formats[i], LIT("{}"), &pb, &err),
                     LEADCORE_INVALID_ARGUMENT, err);
        CHECK(pb == SENTINEL);
        CHECK_CONTAINS(leadcore_error_message(err), "unknown playbook format");
        expect_error(err, LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument");
    }
}

static void test_err_may_be_null(void) {
    leadcore_playbook *pb = SENTINEL;
    CHECK(leadcore_playbook_parse(LEADCORE_FORMAT_JSON, LIT("{"), &pb, NULL) ==
          LEADCORE_PLAYBOOK_PARSE);
    CHECK(leadcore_playbook_parse(9, LIT("{}"), &pb, NULL) == LEADCORE_INVALID_ARGUMENT);
    CHECK(leadcore_playbook_default(NULL, NULL) == LEADCORE_NULL_ARGUMENT);
    CHECK(pb == SENTINEL);
    CHECK(leadcore_playbook_default(&pb, NULL) == LEADCORE_OK);
    leadcore_state *st = NULL;
    CHECK(leadcore_state_start(pb, LIT(START_L1), &st, NULL) == LEADCORE_OK);
    leadcore_buf out = {0};
    CHECK(leadcore_state_transition(pb, st, LIT(TO_MQL("sdr", "250")), &out, NULL) ==
          LEADCORE_GUARD_FAILED);
    CHECK(leadcore_state_transition(pb, st, LIT(TO_MQL("marketing", "250")), &out, NULL) ==
          LEADCORE_OK);
    leadcore_buf_free(&out);
    leadcore_state_free(st);
    leadcore_playbook_free(pb);
}

static void test_free_null_is_a_no_op(void) {
    leadcore_playbook_free(NULL);
    leadcore_state_free(NULL);
    leadcore_score_state_free(NULL);
    leadcore_error_free(NULL);
    leadcore_buf_free(NULL);
    leadcore_buf zero = {0};
    leadcore_buf_free(&zero);
    CHECK(zero.data == NULL && zero.len == 0);
    /* A buffer freed twice through the same struct is harmless: the first free zeroes it. */
    leadcore_playbook *pb = default_playbook();
    leadcore_buf b = {0};
    CHECK(leadcore_playbook_to_json(pb, &b, NULL) == LEADCORE_OK);
    leadcore_buf_free(&b);
    leadcore_buf_free(&b);
    CHECK(b.data == NULL && b.len == 0);
    leadcore_playbook_free(pb);
}

static void test_success_leaves_err_alone(void) {
    leadcore_error *err = SENTINEL;
    leadcore_playbook *pb = NULL;
    CHECK(leadcore_playbook_default(&pb, &err) == LEADCORE_OK);
    CHECK(err == SENTINEL);
    leadcore_playbook_free(pb);
}

/* One playbook, many threads: each thread starts and moves its own records. */
static int worker(void *p) {
    worker_arg *arg = p;
    arg->ok = 1;
    for (int i = 0; i < 25; i++) {
        leadcore_state *st = NULL;
        leadcore_buf out = {0};
        if (leadcore_state_start(arg->pb, LIT(START_L1), &st, NULL) != LEADCORE_OK) arg->ok = 0;
        if (leadcore_state_transition(arg->pb, st, LIT(TO_MQL("sdr", "250")), &out, NULL) !=
            LEADCORE_GUARD_FAILED)
            arg->ok = 0;
        if (leadcore_state_transition(arg->pb, st, LIT(TO_MQL("marketing", "120")), &out, NULL) !=
                LEADCORE_OK ||
            strstr((const char *)out.data, "\"kind\":\"notify\"") == NULL)
            arg->ok = 0;
        leadcore_buf_free(&out);
        leadcore_state_free(st);
    }
    return 0;
}

static void test_a_playbook_is_shared_across_threads(void) {
    leadcore_playbook *pb = default_playbook();
    check_shared_across_threads(pb, worker);
    leadcore_playbook_free(pb);
}


/* A funnel over several states: recycling never lowers `reached`; bad arguments are typed. */
static void test_funnel_over_states(void) {
    leadcore_playbook *pb = NULL;
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_playbook_default(&pb, &err));
    leadcore_state *a = NULL, *b = NULL;
    EXPECT_OK(leadcore_state_new(pb, LIT("lead"), LIT("A"), 0, &a, &err));
    EXPECT_OK(leadcore_state_new(pb, LIT("lead"), LIT("B"), 0, &b, &err));
    leadcore_buf out = {0};
    EXPECT_OK(leadcore_state_transition(
        pb, a,
        LIT("{\"request\":{\"to\":\"MQL\",\"actor\":{\"id\":\"mia\",\"role\":\"marketing\"},"
            "\"now\":\"1970-01-01T01:00:00Z\"},\"scores\":{\"lead\":120}}"),
        &out, &err));
    leadcore_buf_free(&out);
    const leadcore_state *states[] = {a, b};
    EXPECT_OK(leadcore_funnel(pb, LIT("lead"), states, 2, 3 * 3600 * 1000, &out, &err));
    CHECK_CONTAINS(out.data, "\"records\":2");
    CHECK_CONTAINS(out.data, "\"conversion_to_next\":0.5");
    CHECK_CONTAINS(out.data, "\"stage\":\"MQL\"");
    leadcore_buf_free(&out);
    const leadcore_state *with_null[] = {a, NULL};
    EXPECT_NULL_ARG(leadcore_funnel(pb, LIT("lead"), with_null, 2, 0, &out, &err));
    EXPECT_NULL_ARG(leadcore_funnel(pb, LIT("lead"), NULL, 2, 0, &out, &err));
    EXPECT_FAILURE(leadcore_funnel(pb, LIT("renewals"), states, 2, 0, &out, &err),
                   LEADCORE_UNKNOWN_PIPELINE, "lifecycle.unknown_pipeline");
    CHECK(out.data == NULL);
    leadcore_state_free(a);
    leadcore_state_free(b);
    leadcore_playbook_free(pb);
}

void api_tests(void) {
    run_test("api: version constants match the library", test_version);
    run_test("api: default playbook loads and round-trips",
             test_default_playbook_loads_and_round_trips);
    run_test("api: TOML and YAML playbooks", test_playbook_in_toml_and_yaml);
    run_test("api: parse errors carry their location", test_parse_errors_carry_their_location);
    run_test("api: invalid playbook lists every issue", test_invalid_playbook_lists_every_issue);
    run_test("api: guard failure names the guard, state unchanged",
             test_guard_failure_names_the_guard_and_keeps_the_state);
    run_test("api: marketing makes an MQL, notify emitted",
             test_marketing_makes_an_mql_and_notify_is_emitted);
    run_test("api: every lifecycle refusal has its status",
             test_every_lifecycle_refusal_has_its_status);
    run_test("api: replay checks every history entry", test_replay_checks_every_history_entry);
    run_test("api: typed start and state round trip", test_typed_start_and_state_round_trip);
    run_test("api: stored states are checked", test_stored_states_are_checked);
    run_test("api: RFC 3339 times", test_rfc3339_times);
    run_test("api: NULL arguments are refused", test_null_arguments_are_refused);
    run_test("api: invalid UTF-8 is refused", test_invalid_utf8_is_refused);
    run_test("api: unknown format is an invalid argument",
             test_unknown_format_is_an_invalid_argument);
    run_test("api: err may be NULL", test_err_may_be_null);
    run_test("api: _free(NULL) is a no-op", test_free_null_is_a_no_op);
    run_test("api: success leaves *err alone", test_success_leaves_err_alone);
    run_test("api: a playbook is shared across threads", test_a_playbook_is_shared_across_threads);
    run_test("api: funnel over several states", test_funnel_over_states);
}
