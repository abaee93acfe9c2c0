/* Unit tests of the leadcore C scoring API: the seed's worked example, the JSON and columnar
 * batch paths agreeing, the typed event fast path agreeing with the JSON path, score states
 * (record, apply, thresholds, card, predict, stored JSON), typed statuses for every bad
 * input, states unchanged on failure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* 2026-03-02T09:00:00Z and 2026-03-03T09:00:00Z in Unix seconds. */
#define T_S INT64_C(1772442000)
#define NOW_S INT64_C(1772528400)
#define NOW "\"now\":\"2026-03-03T09:00:00Z\""

#define LEAD_A                                                                              \
    "{\"custom\":{\"budget\":5000000},\"firmographics\":{\"employees\":120,\"title\":\"VP " \
    "Sales\",\"users\":25},\"id\":\"A\"}"
#define LEAD_B "{\"firmographics\":{\"employees\":8},\"id\":\"B\"}"
#define LEAD_C "{\"firmographics\":{\"employees\":30},\"id\":\"C\"}"

/* The seed's worked example: lead A's activities (engagement 76 on the default playbook). */
#define ACTIVITIES_A                                                                            \
    "[{\"at\":\"2026-03-02T09:00:00Z\",\"content_id\":\"ebook-0\",\"kind\":\"content_downloaded\"}," \
    "{\"at\":\"2026-03-02T09:01:00Z\",\"content_id\":\"ebook-1\",\"kind\":\"content_downloaded\"},"  \
    "{\"at\":\"2026-03-02T09:02:00Z\",\"content_id\":\"ebook-2\",\"kind\":\"content_downloaded\"},"  \
    "{\"at\":\"2026-03-02T09:10:00Z\",\"campaign\":\"welcome\",\"kind\":\"email_opened\"},"          \
    "{\"at\":\"2026-03-02T09:11:00Z\",\"campaign\":\"welcome\",\"kind\":\"email_opened\"},"          \
    "{\"at\":\"2026-03-02T09:12:00Z\",\"campaign\":\"welcome\",\"kind\":\"email_opened\"},"          \
    "{\"at\":\"2026-03-02T09:20:00Z\",\"campaign\":\"welcome\",\"kind\":\"email_clicked\"},"         \
    "{\"at\":\"2026-03-02T09:21:00Z\",\"campaign\":\"welcome\",\"kind\":\"email_clicked\"},"         \
    "{\"at\":\"2026-03-02T09:22:00Z\",\"campaign\":\"welcome\",\"kind\":\"email_clicked\"},"         \
    "{\"at\":\"2026-03-02T10:00:00Z\",\"kind\":\"trial_signup\"}]"
/* ... and lead B's (engagement 19). */
#define ACTIVITIES_B                                                                       \
    "[{\"at\":\"2026-03-02T09:00:00Z\",\"kind\":\"web_visit\",\"page\":\"/pricing\","      \
    "\"seconds\":75},{\"at\":\"2026-03-02T09:05:00Z\",\"kind\":\"email_opened\"},"         \
    "{\"at\":\"2026-03-02T09:06:00Z\",\"kind\":\"email_opened\"}]"
#define SCORE_A "{\"activities\":" ACTIVITIES_A ",\"explain\":true,\"lead\":" LEAD_A "," NOW "}"
#define SCORE_B "{\"activities\":" ACTIVITIES_B ",\"explain\":true,\"lead\":" LEAD_B "," NOW "}"
#define CARD_A "{\"explain\":true,\"lead\":" LEAD_A "," NOW "}"
#define CARD_B "{\"explain\":true,\"lead\":" LEAD_B "," NOW "}"

/* A playbook whose score decays: 40 points per meeting, halving every 10 days. */
static const char HALF_LIFE_YAML[] =
    "schema_version: 1\n"
    "lifecycle: {name: lead, initial: New, stages: [{name: New}]}\n"
    "scoring:\n"
    "  models:\n"
    "    - name: interest\n"
    "      decay: {type: half_life, days: 10}\n"
    "      rules:\n"
    "        - {type: behaviour, name: demo, activity: meeting_held, points: 40}\n";

static leadcore_str str_of(const char *s) {
    leadcore_str r = {(const uint8_t *)s, strlen(s)};
    return r;
}

static leadcore_event event_at(const char *kind, int64_t at) {
    leadcore_event e = {.kind = str_of(kind), .at_unix_s = at, .seconds = -1};
    return e;
}

static leadcore_playbook *yaml_playbook(const char *yaml) {
    leadcore_playbook *pb = NULL;
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_playbook_parse(LEADCORE_FORMAT_YAML, STR(yaml), &pb, &err), LEADCORE_OK,
                 err);
    leadcore_error_free(err);
    return pb;
}

/* A model's score in a score card's JSON. In a card, the first "score" key after a model's
 * name is that model's (rule lines and contributions have no "score" key). NAN if absent. */
static double model_score(const uint8_t *card, const char *model) {
    char key[128];
    snprintf(key, sizeof key, "\"model\":\"%s\"", model);
    const char *at = card ? strstr((const char *)card, key) : NULL;
    const char *score = at ? strstr(at, "\"score\":") : NULL;
    return score ? strtod(score + strlen("\"score\":"), NULL) : NAN;
}

/* Reads the JSON number array under `"key":[` into `out`; returns how many were read. */
static size_t number_array(const uint8_t *json, const char *key, double *out, size_t max) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":[", key);
    const char *p = json ? strstr((const char *)json, pattern) : NULL;
    if (p == NULL) return 0;
    p += strlen(pattern);
    size_t n = 0;
    while (n < max && *p != ']') {
        char *end = NULL;
        out[n++] = strtod(p, &end);
        if (end == p) return 0;
        p = end;
        if (*p == ',') p++;
    }
    return n;
}

static leadcore_buf score_json(const leadcore_playbook *pb, const char *input) {
    leadcore_buf b = {0};
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_score(pb, STR(input), &b, &err));
    return b;
}

static leadcore_score_state *new_score_state(const leadcore_playbook *pb, const char *lead_id) {
    leadcore_score_state *st = NULL;
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_score_state_new(pb, STR(lead_id), &st, &err));
    return st;
}

static leadcore_buf score_state_json(const leadcore_score_state *st) {
    leadcore_buf b = {0};
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_score_state_to_json(st, &b, &err));
    return b;
}

static leadcore_buf card_json(const leadcore_playbook *pb, const leadcore_score_state *st,
                              const char *input) {
    leadcore_buf b = {0};
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_score_state_card(pb, st, STR(input), &b, &err));
    return b;
}

static void record(const leadcore_playbook *pb, leadcore_score_state *st, leadcore_event e,
                   int64_t now) {
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_score_state_record(pb, st, &e, now, &err));
}

/* Lead A's activities through the typed fast path. */
static void record_lead_a(const leadcore_playbook *pb, leadcore_score_state *st) {
    static const char *const ebooks[] = {"ebook-0", "ebook-1", "ebook-2"};
    for (int i = 0; i < 3; i++) {
        leadcore_event e = event_at("content_downloaded", T_S + 60 * i);
        e.content_id = str_of(ebooks[i]);
        record(pb, st, e, NOW_S);
    }
    const char *kinds[] = {"email_opened", "email_clicked"};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 3; i++) {
            leadcore_event e = event_at(kinds[k], T_S + 600 * (k + 1) + 60 * i);
            e.campaign = str_of("welcome");
            record(pb, st, e, NOW_S);
        }
    }
    record(pb, st, event_at("trial_signup", T_S + 3600), NOW_S);
}

static void record_lead_b(const leadcore_playbook *pb, leadcore_score_state *st) {
    leadcore_event visit = event_at("web_visit", T_S);
    visit.page = str_of("/pricing");
    visit.seconds = 75;
    record(pb, st, visit, NOW_S);
    record(pb, st, event_at("email_opened", T_S + 300), NOW_S);
    record(pb, st, event_at("email_opened", T_S + 360), NOW_S);
}

static void test_the_worked_example_scores_76_and_19(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_buf a = score_json(pb, SCORE_A), b = score_json(pb, SCORE_B);
    CHECK(a.data != NULL && a.data[a.len] == '\0');
    CHECK(model_score(a.data, "engagement") == 76.0);
    CHECK(model_score(a.data, "fit") == 50.0);
    CHECK(model_score(a.data, "lead") == 126.0);
    CHECK(model_score(b.data, "engagement") == 19.0);
    CHECK(model_score(b.data, "fit") == 0.0);
    CHECK_CONTAINS(a.data, "{\"at\":\"2026-03-03T09:00:00Z\",\"hot\":false,\"lead_id\":\"A\",");
    CHECK_CONTAINS(a.data, "\"grade\":\"A\"");
    /* explain: every contributing event with its decay factor */
    CHECK_CONTAINS(a.data, "{\"at\":\"2026-03-02T10:00:00Z\",\"decay_factor\":1.0,\"points\":25.0,"
                           "\"raw_points\":25.0}");
    CHECK_CONTAINS(b.data, "\"rule\":\"pricing_page\"");

    /* Without explain the card has no contributions but the same scores. */
    leadcore_buf plain = score_json(
        pb, "{\"activities\":" ACTIVITIES_A ",\"lead\":" LEAD_A "," NOW "}");
    CHECK(model_score(plain.data, "engagement") == 76.0);
    CHECK_NOT_CONTAINS(plain.data, "contributions");
    leadcore_buf_free(&plain);
    leadcore_buf_free(&a);
    leadcore_buf_free(&b);
    leadcore_playbook_free(pb);
}

static void test_typed_record_then_card_equals_score(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_score_state *a = new_score_state(pb, "A"), *b = new_score_state(pb, "B");
    record_lead_a(pb, a);
    record_lead_b(pb, b);
    leadcore_buf ca = card_json(pb, a, CARD_A), cb = card_json(pb, b, CARD_B);
    leadcore_buf sa = score_json(pb, SCORE_A), sb = score_json(pb, SCORE_B);
    CHECK(same_buf(ca, sa)); /* byte for byte, explanations included */
    CHECK(same_buf(cb, sb));
    CHECK(model_score(ca.data, "engagement") == 76.0);
    CHECK(model_score(cb.data, "engagement") == 19.0);

    /* Events may arrive out of order: the same state, the same card. */
    leadcore_score_state *rev = new_score_state(pb, "B");
    leadcore_event opened = event_at("email_opened", T_S + 360);
    record(pb, rev, opened, NOW_S);
    opened.at_unix_s = T_S + 300;
    record(pb, rev, opened, NOW_S);
    leadcore_event visit = event_at("web_visit", T_S);
    visit.page = str_of("/pricing");
    visit.seconds = 75;
    record(pb, rev, visit, NOW_S);
    leadcore_buf jb = score_state_json(b), jrev = score_state_json(rev);
    CHECK(same_buf(jb, jrev));

    /* An empty optional string is present (and filtered on), unlike an absent one. */
    leadcore_score_state *c = new_score_state(pb, "C");
    leadcore_event blank = event_at("web_visit", T_S);
    blank.page.ptr = (const uint8_t *)"";
    blank.page.len = 0;
    record(pb, c, blank, NOW_S);
    leadcore_buf cc = card_json(pb, c, "{\"lead\":" LEAD_C "," NOW "}");
    CHECK(model_score(cc.data, "engagement") == 0.0);

    leadcore_buf_free(&cc);
    leadcore_buf_free(&jb);
    leadcore_buf_free(&jrev);
    leadcore_buf_free(&ca);
    leadcore_buf_free(&cb);
    leadcore_buf_free(&sa);
    leadcore_buf_free(&sb);
    leadcore_score_state_free(a);
    leadcore_score_state_free(b);
    leadcore_score_state_free(c);
    leadcore_score_state_free(rev);
    leadcore_playbook_free(pb);
}

/* The batch of tests/vectors/scoring_batch_with_bad_rows, as JSON and as C arrays. Row 13
 * belongs to an unknown lead ("ghost" / index 7), row 15 is a web visit without the page a
 * rule filters on, row 16 is in the future, row 17 a kind no rule scores. */
#define TABLE_JSON                                                                               \
    "{\"events\":{\"at\":[1772442000,1772442060,1772442120,1772442600,1772442660,1772442720,"    \
    "1772443200,1772443260,1772443320,1772445600,1772442000,1772442300,1772442360,1772442000,"   \
    "1772443800,1772443860,1807002000,1772442060],\"campaign\":[null,null,null,\"welcome\","     \
    "\"welcome\",\"welcome\",\"welcome\",\"welcome\",\"welcome\",null,null,null,null,null,null," \
    "null,null,null],\"content_id\":[\"ebook-0\",\"ebook-1\",\"ebook-2\",null,null,null,null,"   \
    "null,null,null,null,null,null,null,null,null,null,null],\"kind\":[\"content_downloaded\","  \
    "\"content_downloaded\",\"content_downloaded\",\"email_opened\",\"email_opened\","           \
    "\"email_opened\",\"email_clicked\",\"email_clicked\",\"email_clicked\",\"trial_signup\","   \
    "\"web_visit\",\"email_opened\",\"email_opened\",\"email_opened\",\"email_unsubscribed\","   \
    "\"web_visit\",\"email_opened\",\"webinar_attended\"],\"lead_id\":[\"A\",\"A\",\"A\",\"A\"," \
    "\"A\",\"A\",\"A\",\"A\",\"A\",\"A\",\"B\",\"B\",\"B\",\"ghost\",\"B\",\"B\",\"A\",\"A\"],"  \
    "\"page\":[null,null,null,null,null,null,null,null,null,null,\"/pricing\",null,null,null,"   \
    "null,null,null,null],\"seconds\":[null,null,null,null,null,null,null,null,null,null,75,"    \
    "null,null,null,null,null,null,null]},\"leads\":" LEADS_JSON "," NOW "}"
#define LEADS_JSON "[" LEAD_A "," LEAD_B "," LEAD_C "]"

enum { ROWS = 18, LEADS = 3, MODELS = 3, SCORES = LEADS * MODELS };
#define NA UINT32_MAX

static const char *const KINDS[] = {"content_downloaded", "email_opened",       "email_clicked",
                                    "trial_signup",       "web_visit",          "email_unsubscribed",
                                    "webinar_attended"};
static const char *const PAGES[] = {"/pricing"};
static const char *const CAMPAIGNS[] = {"welcome"};
static const char *const CONTENTS[] = {"ebook-0", "ebook-1", "ebook-2"};

/* The columns and their dictionaries, in memory a test may change. */
typedef struct {
    uint32_t lead[ROWS], kind[ROWS], page[ROWS], campaign[ROWS], content[ROWS];
    int64_t at[ROWS], seconds[ROWS];
    leadcore_str kinds[7], pages[1], campaigns[1], contents[3];
    leadcore_event_columns cols;
} batch;

static void fill_dict(leadcore_dict_column *col, uint32_t *codes, leadcore_str *dict,
                      const char *const *names, size_t n) {
    for (size_t i = 0; i < n; i++) dict[i] = str_of(names[i]);
    col->codes = codes;
    col->dictionary = dict;
    col->dictionary_len = n;
}

static void make_batch(batch *b) {
    static const uint32_t lead[ROWS] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 7, 1, 1, 0, 0};
    static const uint32_t kind[ROWS] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 4, 1, 1, 1, 5, 4, 1, 6};
    static const int64_t at[ROWS] = {
        1772442000, 1772442060, 1772442120, 1772442600, 1772442660, 1772442720,
        1772443200, 1772443260, 1772443320, 1772445600, 1772442000, 1772442300,
        1772442360, 1772442000, 1772443800, 1772443860, 1807002000, 1772442060};
    memset(b, 0, sizeof *b);
    memcpy(b->lead, lead, sizeof lead);
    memcpy(b->kind, kind, sizeof kind);
    memcpy(b->at, at, sizeof at);
    for (int i = 0; i < ROWS; i++) {
        b->page[i] = b->campaign[i] = b->content[i] = NA;
        b->seconds[i] = -1;
    }
    b->page[10] = 0;
    b->seconds[10] = 75;
    for (int i = 3; i < 9; i++) b->campaign[i] = 0;
    for (int i = 0; i < 3; i++) b->content[i] = (uint32_t)i;

    b->cols.rows = ROWS;
    b->cols.lead_index = b->lead;
    b->cols.at_unix_s = b->at;
    b->cols.seconds = b->seconds;
    fill_dict(&b->cols.kind, b->kind, b->kinds, KINDS, 7);
    fill_dict(&b->cols.page, b->page, b->pages, PAGES, 1);
    fill_dict(&b->cols.campaign, b->campaign, b->campaigns, CAMPAIGNS, 1);
    fill_dict(&b->cols.content_id, b->content, b->contents, CONTENTS, 3);
}

static void test_columns_give_the_scores_of_the_json_table(void) {
    leadcore_playbook *pb = default_playbook();
    CHECK(leadcore_scoring_model_count(pb) == MODELS);
    leadcore_buf names = {0};
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_scoring_model_names(pb, &names, &err), LEADCORE_OK, err);
    CHECK_STR_EQ(names.data, "[\"engagement\",\"fit\",\"lead\"]");
    leadcore_buf_free(&names);

    leadcore_buf table = {0};
    CHECK_STATUS(leadcore_score_table(pb, LIT(TABLE_JSON), &table, &err), LEADCORE_OK, err);
    CHECK_CONTAINS(table.data, "\"models\":[\"engagement\",\"fit\",\"lead\"]");
    CHECK_CONTAINS(table.data, "\"grades\":[null,\"A\",null,null,\"D\",null,null,\"C\",null]");
    CHECK_CONTAINS(table.data, "\"message\":\"no lead with id `ghost`\",\"reason\":\"unknown_lead\"");
    double want[SCORES];
    CHECK(number_array(table.data, "scores", want, SCORES) == SCORES);

    batch b;
    make_batch(&b);
    double got[SCORES];
    for (int i = 0; i < SCORES; i++) got[i] = -1.0;
    leadcore_buf row_errors = {0};
    CHECK_STATUS(leadcore_score_columns(pb, LIT(LEADS_JSON), &b.cols, NOW_S, got, SCORES,
                                        &row_errors, &err),
                 LEADCORE_OK, err);
    static const double expected[SCORES] = {76, 50, 126, 14, 0, 14, 0, 10, 10};
    for (int i = 0; i < SCORES; i++) {
        CHECK(got[i] == want[i]);
        CHECK(got[i] == expected[i]);
    }
    /* The same rows are refused for the same reasons; an out-of-range index is a row error. */
    CHECK_STR_EQ(
        row_errors.data,
        "[{\"message\":\"lead index 7 is not among the 3 leads\",\"reason\":\"unknown_lead\","
        "\"row\":13},{\"message\":\"event at 1807002000 is "
        "after now (1772528400)\",\"reason\":\"in_future\",\"row\":16}]");
    /* A web visit without a page (row 15) is no row error: it matches no page rule. */
    CHECK(strstr((const char *)table.data, "\"row\":15}") == NULL);
    CHECK_CONTAINS(table.data, "\"reason\":\"in_future\",\"row\":16}");
    leadcore_buf_free(&row_errors);

    /* No events: only fit points; absent optional columns are fine with no rows. */
    leadcore_event_columns none;
    memset(&none, 0, sizeof none);
    CHECK_STATUS(leadcore_score_columns(pb, LIT(LEADS_JSON), &none, NOW_S, got, SCORES,
                                        &row_errors, &err),
                 LEADCORE_OK, err);
    CHECK(got[0] == 0 && got[1] == 50 && got[2] == 50 && got[7] == 10);
    CHECK_STR_EQ(row_errors.data, "[]");
    leadcore_buf_free(&row_errors);

    /* No leads, no scores: scores_out may be NULL. */
    CHECK_STATUS(leadcore_score_columns(pb, LIT("[]"), &none, NOW_S, NULL, 0, &row_errors, &err),
                 LEADCORE_OK, err);
    leadcore_buf_free(&row_errors);

    /* Absent page column: the pricing visit no longer matches the pricing rule, and is no
       row error. */
    b.cols.page.codes = NULL;
    CHECK_STATUS(leadcore_score_columns(pb, LIT(LEADS_JSON), &b.cols, NOW_S, got, SCORES,
                                        &row_errors, &err),
                 LEADCORE_OK, err);
    CHECK(got[3] == -1.0); /* lead B: two opens (4) and the unsubscribe (-5), no pricing */
    CHECK(strstr((const char *)row_errors.data, "\"row\":10}") == NULL);
    leadcore_buf_free(&row_errors);

    leadcore_buf_free(&table);
    leadcore_playbook_free(pb);
}

static void test_bad_columns_are_refused_and_outputs_untouched(void) {
    leadcore_playbook *pb = default_playbook();
    double got[SCORES];
    for (int i = 0; i < SCORES; i++) got[i] = -1.0;
    leadcore_buf row_errors = sentinel_buf();
    static const uint8_t bad_utf8[] = {'w', 0xff};
    struct {
        const char *what;
        leadcore_status status;
        const char *code;
    } cases[] = {
        {"scores_len one short", LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument"},
        {"scores_out NULL", LEADCORE_NULL_ARGUMENT, "ffi.null_argument"},
        {"kind codes NULL", LEADCORE_NULL_ARGUMENT, "ffi.null_argument"},
        {"lead_index NULL", LEADCORE_NULL_ARGUMENT, "ffi.null_argument"},
        {"at NULL", LEADCORE_NULL_ARGUMENT, "ffi.null_argument"},
        {"page code outside its dictionary", LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument"},
        {"kind code outside its dictionary", LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument"},
        {"dictionary entry not UTF-8", LEADCORE_INVALID_UTF8, "ffi.invalid_utf8"},
        {"dictionary entry NULL with a length", LEADCORE_NULL_ARGUMENT, "ffi.null_argument"},
        {"dictionary NULL with a length", LEADCORE_NULL_ARGUMENT, "ffi.null_argument"},
        {"now out of range (max)", LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument"},
        {"now out of range", LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument"},
        {"leads JSON malformed", LEADCORE_INVALID_INPUT, "input.invalid"},
        {"leads JSON not UTF-8", LEADCORE_INVALID_UTF8, "ffi.invalid_utf8"},
        {"events NULL", LEADCORE_NULL_ARGUMENT, "ffi.null_argument"},
        {"row_errors_out NULL", LEADCORE_NULL_ARGUMENT, "ffi.null_argument"},
        {"playbook NULL", LEADCORE_NULL_ARGUMENT, "ffi.null_argument"},
        {"duplicate lead ids", LEADCORE_INVALID_INPUT, "input.invalid"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        batch b;
        make_batch(&b);
        const leadcore_playbook *p = pb;
        const uint8_t *leads = (const uint8_t *)LEADS_JSON;
        size_t leads_len = strlen(LEADS_JSON);
        const leadcore_event_columns *cols = &b.cols;
        double *scores = got;
        size_t scores_len = SCORES;
        int64_t now = NOW_S;
        leadcore_buf *errors_out = &row_errors;
        switch (i) {
            case 0: scores_len = SCORES - 1; break;
            case 1: scores = NULL; break;
            case 2: b.cols.kind.codes = NULL; break;
            case 3: b.cols.lead_index = NULL; break;
            case 4: b.cols.at_unix_s = NULL; break;
            case 5: b.page[2] = 1; break;
            case 6: b.kind[17] = 7; break;
            case 7: b.campaigns[0].ptr = bad_utf8; b.campaigns[0].len = 2; break;
            case 8: b.contents[1].ptr = NULL; break;
            case 9: b.cols.page.dictionary = NULL; break;
            case 10: now = INT64_MAX; break;
            case 11: now = INT64_MIN; break;
            case 12: leads = (const uint8_t *)"[{"; leads_len = 2; break;
            case 13: leads = bad_utf8; leads_len = 2; break;
            case 14: cols = NULL; break;
            case 15: errors_out = NULL; break;
            case 16: p = NULL; break;
            case 17:
                leads = (const uint8_t *)"[" LEAD_A "," LEAD_A "," LEAD_C "]";
                leads_len = strlen((const char *)leads);
                break;
        }
        leadcore_error *err = NULL;
        leadcore_status s = leadcore_score_columns(p, leads, leads_len, cols, now, scores,
                                                   scores_len, errors_out, &err);
        if (s != cases[i].status) printf("  case %zu: %s\n", i, cases[i].what);
        CHECK_STATUS(s, cases[i].status, err);
        expect_error(err, cases[i].status, cases[i].code);
    }
    for (int i = 0; i < SCORES; i++) CHECK(got[i] == -1.0);
    CHECK(is_sentinel_buf(row_errors));

    /* The messages say what to fix. */
    batch b;
    make_batch(&b);
    leadcore_error *err = NULL;
    leadcore_score_columns(pb, LIT(LEADS_JSON), &b.cols, NOW_S, got, 8, &row_errors, &err);
    CHECK_STR_EQ(leadcore_error_message(err), "scores_len is 8, but 3 leads x 3 models need 9");
    leadcore_error_free(err);
    err = NULL;
    b.page[4] = 9;
    leadcore_score_columns(pb, LIT(LEADS_JSON), &b.cols, NOW_S, got, SCORES, &row_errors, &err);
    CHECK_CONTAINS(leadcore_error_message(err), "events.page.codes[4] is 9, outside its "
                                                "dictionary of 1 values");
    leadcore_error_free(err);
    err = NULL;
    make_batch(&b);
    b.contents[2].ptr = bad_utf8;
    b.contents[2].len = 2;
    leadcore_score_columns(pb, LIT(LEADS_JSON), &b.cols, NOW_S, got, SCORES, &row_errors, &err);
    CHECK_CONTAINS(leadcore_error_message(err), "events.content_id.dictionary[2]");
    leadcore_error_free(err);
    CHECK(is_sentinel_buf(row_errors));
    leadcore_playbook_free(pb);
}

static void test_bad_events_are_refused_and_the_state_is_unchanged(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_score_state *st = new_score_state(pb, "A");
    record_lead_a(pb, st);
    leadcore_buf before = score_state_json(st);
    static const uint8_t bad_utf8[] = {'w', 0xff};

    struct {
        const char *what;
        leadcore_status status;
        const char *code;
        const char *reason;
    } cases[] = {
        {"after now beyond the tolerance", LEADCORE_BAD_EVENT, "score.bad_event", "in_future"},
        {"a day after now", LEADCORE_BAD_EVENT, "score.bad_event", "in_future"},
        {"seconds above UINT32_MAX", LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument", NULL},
        {"time out of range", LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument", NULL},
        {"now out of range", LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument", NULL},
        {"kind not UTF-8", LEADCORE_INVALID_UTF8, "ffi.invalid_utf8", NULL},
        {"page not UTF-8", LEADCORE_INVALID_UTF8, "ffi.invalid_utf8", NULL},
        {"campaign NULL with a length", LEADCORE_NULL_ARGUMENT, "ffi.null_argument", NULL},
        {"kind NULL with a length", LEADCORE_NULL_ARGUMENT, "ffi.null_argument", NULL},
        {"event NULL", LEADCORE_NULL_ARGUMENT, "ffi.null_argument", NULL},
        {"state NULL", LEADCORE_NULL_ARGUMENT, "ffi.null_argument", NULL},
        {"playbook NULL", LEADCORE_NULL_ARGUMENT, "ffi.null_argument", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        leadcore_event e = event_at("email_opened", T_S);
        const leadcore_event *ep = &e;
        const leadcore_playbook *p = pb;
        leadcore_score_state *s = st;
        int64_t now = NOW_S;
        switch (i) {
            case 0: e.at_unix_s = NOW_S + 301; break; /* the default tolerance is 300 s */
            case 1: e.at_unix_s = NOW_S + 86400; break;
            case 2: e.seconds = INT64_C(5000000000); break;
            case 3: e.at_unix_s = INT64_MAX; break;
            case 4: now = INT64_MIN; break;
            case 5: e.kind.ptr = bad_utf8; e.kind.len = 2; break;
            case 6: e.page.ptr = bad_utf8; e.page.len = 2; break;
            case 7: e.campaign.len = 3; break;
            case 8: e.kind.ptr = NULL; break;
            case 9: ep = NULL; break;
            case 10: s = NULL; break;
            case 11: p = NULL; break;
        }
        leadcore_error *err = NULL;
        leadcore_status status = leadcore_score_state_record(p, s, ep, now, &err);
        if (status != cases[i].status) printf("  case %zu: %s\n", i, cases[i].what);
        CHECK_STATUS(status, cases[i].status, err);
        if (cases[i].reason && err) {
            leadcore_buf r = report_of(err);
            char want[64];
            snprintf(want, sizeof want, "\"reason\":\"%s\"", cases[i].reason);
            CHECK_CONTAINS(r.data, want);
            leadcore_buf_free(&r);
        }
        expect_error(err, cases[i].status, cases[i].code);
    }
    leadcore_buf after = score_state_json(st);
    CHECK(same_buf(before, after));
    leadcore_buf_free(&after);

    /* The future-event message names both times. */
    leadcore_event future = event_at("email_opened", NOW_S + 3600);
    leadcore_error *err = NULL;
    leadcore_score_state_record(pb, st, &future, NOW_S, &err);
    CHECK_STR_EQ(leadcore_error_message(err),
                 "bad event (in_future): activity at 2026-03-03T10:00:00Z is after now "
                 "(2026-03-03T09:00:00Z)");
    leadcore_error_free(err);

    /* The JSON paths refuse the same events. */
    err = NULL;
    leadcore_buf out = sentinel_buf();
    CHECK_STATUS(leadcore_score(pb,
                                LIT("{\"activities\":[{\"at\":\"2026-04-01T09:00:00Z\",\"kind\":"
                                    "\"email_opened\"}],\"lead\":" LEAD_B "," NOW "}"),
                                &out, &err),
                 LEADCORE_BAD_EVENT, err);
    expect_error(err, LEADCORE_BAD_EVENT, "score.bad_event");
    err = NULL;
    CHECK_STATUS(leadcore_score_state_apply(
                     pb, st,
                     LIT("{\"activity\":{\"at\":\"2026-03-10T09:00:00Z\",\"kind\":\"web_visit\"},"
                         "\"lead\":" LEAD_A "," NOW "}"),
                     &out, &err),
                 LEADCORE_BAD_EVENT, err);
    expect_error(err, LEADCORE_BAD_EVENT, "score.bad_event");
    CHECK(is_sentinel_buf(out));

    /* apply moves the threshold clock; an earlier now is refused and changes nothing. */
    err = NULL;
    CHECK_STATUS(leadcore_score_state_apply(
                     pb, st,
                     LIT("{\"activity\":{\"at\":\"2026-03-03T08:00:00Z\",\"kind\":\"email_opened\"},"
                         "\"lead\":" LEAD_A "," NOW "}"),
                     &out, &err),
                 LEADCORE_OK, err);
    CHECK_CONTAINS(out.data, "\"threshold\":\"marketing_review\"");
    leadcore_buf_free(&out);
    leadcore_buf moved = score_state_json(st);
    out = sentinel_buf();
    CHECK_STATUS(leadcore_score_state_apply(
                     pb, st,
                     LIT("{\"activity\":{\"at\":\"2026-03-02T08:00:00Z\",\"kind\":\"email_opened\"},"
                         "\"lead\":" LEAD_A ",\"now\":\"2026-03-02T09:00:00Z\"}"),
                     &out, &err),
                 LEADCORE_TIME_WENT_BACKWARDS, err);
    expect_error(err, LEADCORE_TIME_WENT_BACKWARDS, "lifecycle.time_went_backwards");
    CHECK(is_sentinel_buf(out));
    after = score_state_json(st);
    CHECK(same_buf(moved, after));
    leadcore_buf_free(&after);
    leadcore_buf_free(&moved);

    /* An event within the tolerance is recorded but counts only once now reaches it. */
    leadcore_score_state *b = new_score_state(pb, "B");
    record(pb, b, event_at("email_opened", NOW_S + 100), NOW_S);
    leadcore_buf c1 = card_json(pb, b, "{\"lead\":" LEAD_B "," NOW "}");
    leadcore_buf c2 = card_json(pb, b, "{\"lead\":" LEAD_B ",\"now\":\"2026-03-03T09:01:40Z\"}");
    CHECK(model_score(c1.data, "engagement") == 0.0);
    CHECK(model_score(c2.data, "engagement") == 2.0);
    leadcore_buf_free(&c1);
    leadcore_buf_free(&c2);
    leadcore_score_state_free(b);

    leadcore_buf_free(&before);
    leadcore_score_state_free(st);
    leadcore_playbook_free(pb);
}

/* The JSON-input calls on one state, by index. */
static leadcore_status json_call(int which, const leadcore_playbook *pb, leadcore_score_state *st,
                                 const uint8_t *json, size_t len, leadcore_buf *out,
                                 leadcore_error **err) {
    switch (which) {
        case 0: return leadcore_score(pb, json, len, out, err);
        case 1: return leadcore_score_table(pb, json, len, out, err);
        case 2: return leadcore_score_state_apply(pb, st, json, len, out, err);
        case 3: return leadcore_score_state_check_thresholds(pb, st, json, len, out, err);
        case 4: return leadcore_score_state_card(pb, st, json, len, out, err);
        default: return leadcore_score_state_predict(pb, st, json, len, out, err);
    }
}

static void test_bad_json_inputs_have_typed_statuses(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_score_state *st = new_score_state(pb, "A");
    record_lead_a(pb, st);
    leadcore_buf before = score_state_json(st);
    static const uint8_t bad_utf8[] = {'{', '"', 0xc3, '"', '}'};
    /* An unknown field per call (inputs are strict, so typos are not silently ignored). */
    static const char *const unknown[] = {
        "{\"lead\":" LEAD_A "," NOW ",\"explian\":true}",
        "{\"leads\":[],\"events\":{\"lead_id\":[],\"kind\":[],\"at\":[],\"pages\":[]}," NOW "}",
        "{\"activity\":{\"at\":\"2026-03-02T09:00:00Z\",\"kind\":\"call\"},\"lead\":" LEAD_A
        "," NOW ",\"x\":1}",
        "{\"lead\":" LEAD_A "," NOW ",\"explain\":true}",
        "{\"lead\":" LEAD_A "," NOW ",\"activities\":[]}",
        "{\"horizon_days\":5,\"lead\":" LEAD_A ",\"model\":\"lead\"," NOW ",\"threshold\":1,"
        "\"x\":0}",
    };
    for (int which = 0; which < 6; which++) {
        leadcore_buf out = sentinel_buf();
        leadcore_error *err = NULL;
        EXPECT_INVALID_INPUT(json_call(which, pb, st, LIT("{\"lead\":"), &out, &err));
        EXPECT_INVALID_INPUT(json_call(which, pb, st, NULL, 0, &out, &err));
        err = NULL;
        CHECK_STATUS(json_call(which, pb, st, STR(unknown[which]), &out, &err),
                     LEADCORE_INVALID_INPUT, err);
        if (err) CHECK(strstr(leadcore_error_message(err), "unknown field") != NULL ||
                       strstr(leadcore_error_message(err), "unknown event column") != NULL);
        expect_error(err, LEADCORE_INVALID_INPUT, "input.invalid");
        EXPECT_BAD_UTF8(json_call(which, pb, st, bad_utf8, sizeof bad_utf8, &out, &err));
        EXPECT_NULL_ARG(json_call(which, pb, st, NULL, 4, &out, &err));
        EXPECT_NULL_ARG(json_call(which, NULL, st, STR(unknown[which]), &out, &err));
        EXPECT_NULL_ARG(json_call(which, pb, st, STR(unknown[which]), NULL, &err));
        if (which >= 2) /* the calls that take a score state */
            EXPECT_NULL_ARG(json_call(which, pb, NULL, STR(unknown[which]), &out, &err));
        CHECK(is_sentinel_buf(out));
    }
    /* The serde message names the input and what is wrong. */
    leadcore_error *err = NULL;
    leadcore_buf out = sentinel_buf();
    leadcore_score(pb, LIT("{\"lead\":{\"id\":\"A\"}}"), &out, &err);
    CHECK_STR_EQ(leadcore_error_message(err),
                 "invalid input: score input: missing field `now` at line 1 column 19");
    leadcore_error_free(err);

    /* A table time the engine cannot represent: a row error, the batch is still scored. */
    err = NULL;
    CHECK_STATUS(leadcore_score_table(pb,
                                      LIT("{\"events\":{\"at\":[-9223372036854775808],\"kind\":"
                                          "[\"email_opened\"],\"lead_id\":[\"A\"]},\"leads\":["
                                          LEAD_A "]," NOW "}"),
                                      &out, &err),
                 LEADCORE_OK, err);
    CHECK_CONTAINS((const char *)out.data, "\"reason\":\"invalid_time\"");
    leadcore_buf_free(&out);
    out = sentinel_buf();

    /* Predict: unknown model, non-finite threshold, horizon out of range. */
    static const char *const predicts[] = {
        "{\"horizon_days\":5,\"lead\":" LEAD_A ",\"model\":\"nope\"," NOW ",\"threshold\":1}",
        "{\"horizon_days\":5,\"lead\":" LEAD_A ",\"model\":\"lead\"," NOW ",\"threshold\":1e999}",
        "{\"horizon_days\":100000000000000000,\"lead\":" LEAD_A ",\"model\":\"lead\"," NOW
        ",\"threshold\":1}",
    };
    for (size_t i = 0; i < sizeof predicts / sizeof predicts[0]; i++) {
        EXPECT_INVALID_INPUT(leadcore_score_state_predict(pb, st, STR(predicts[i]), &out, &err));
    }
    CHECK(is_sentinel_buf(out));
    leadcore_buf after = score_state_json(st);
    CHECK(same_buf(before, after));
    leadcore_buf_free(&before);
    leadcore_buf_free(&after);
    leadcore_score_state_free(st);
    leadcore_playbook_free(pb);
}

static void test_thresholds_fire_once_after_typed_records(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_score_state *st = new_score_state(pb, "A");
    record_lead_a(pb, st);
    leadcore_buf signals = {0};
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_score_state_check_thresholds(pb, st, LIT("{\"lead\":" LEAD_A "," NOW "}"),
                                                       &signals, &err),
                 LEADCORE_OK, err);
    CHECK_STR_EQ(signals.data,
                 "[{\"actions\":[{\"kind\":\"notify\",\"params\":{\"to\":\"marketing\"}},"
                 "{\"kind\":\"suggest_transition\",\"params\":{\"to\":\"MQL\"}}],"
                 "\"at\":\"2026-03-03T09:00:00Z\",\"direction\":\"up\",\"model\":\"lead\","
                 "\"score\":126.0,\"signal\":\"threshold\",\"threshold\":\"marketing_review\"}]");
    leadcore_buf_free(&signals);
    CHECK_STATUS(leadcore_score_state_check_thresholds(pb, st, LIT("{\"lead\":" LEAD_A "," NOW "}"),
                                                       &signals, &err),
                 LEADCORE_OK, err);
    CHECK_STR_EQ(signals.data, "[]");
    leadcore_buf_free(&signals);
    leadcore_buf stored = score_state_json(st);
    CHECK_CONTAINS(stored.data, "\"above\":true,\"fired\":1");
    CHECK_CONTAINS(stored.data, "\"checked_at\":\"2026-03-03T09:00:00Z\"");
    leadcore_buf_free(&stored);

    /* Hotness: two engagement events within 30 minutes make the lead hot. */
    leadcore_score_state *b = new_score_state(pb, "B");
    CHECK_STATUS(leadcore_score_state_apply(
                     pb, b,
                     LIT("{\"activity\":{\"at\":\"2026-03-03T08:50:00Z\",\"kind\":\"email_opened\"},"
                         "\"lead\":" LEAD_B "," NOW "}"),
                     &signals, &err),
                 LEADCORE_OK, err);
    CHECK_STR_EQ(signals.data, "[]");
    leadcore_buf_free(&signals);
    CHECK_STATUS(leadcore_score_state_apply(
                     pb, b,
                     LIT("{\"activity\":{\"at\":\"2026-03-03T08:55:00Z\",\"kind\":\"email_clicked\"},"
                         "\"lead\":" LEAD_B "," NOW "}"),
                     &signals, &err),
                 LEADCORE_OK, err);
    CHECK_STR_EQ(signals.data, "[{\"at\":\"2026-03-03T09:00:00Z\",\"signal\":\"hot\"}]");
    leadcore_buf_free(&signals);
    leadcore_buf card = card_json(pb, b, "{\"lead\":" LEAD_B "," NOW "}");
    CHECK_CONTAINS(card.data, "\"hot\":true");
    leadcore_buf_free(&card);
    leadcore_score_state_free(b);
    leadcore_score_state_free(st);
    leadcore_playbook_free(pb);
}

static void test_predict_gives_the_crossing_time_or_null(void) {
    leadcore_playbook *pb = yaml_playbook(HALF_LIFE_YAML);
    leadcore_score_state *st = new_score_state(pb, "L");
    const int64_t t = INT64_C(1767225600); /* 2026-01-01T00:00:00Z */
    record(pb, st, event_at("meeting_held", t), t);
    leadcore_buf when = {0};
    leadcore_error *err = NULL;
#define PREDICT(threshold, days)                                                          \
    "{\"horizon_days\":" days ",\"lead\":{\"id\":\"L\"},\"model\":\"interest\","          \
    "\"now\":\"2026-01-01T00:00:00Z\",\"threshold\":" threshold "}"
    /* 40 points halve every 10 days: below 20 one second after day 10. */
    CHECK_STATUS(leadcore_score_state_predict(pb, st, LIT(PREDICT("20", "30")), &when, &err),
                 LEADCORE_OK, err);
    CHECK_STR_EQ(when.data, "\"2026-01-11T00:00:01Z\"");
    leadcore_buf_free(&when);
    CHECK_STATUS(leadcore_score_state_predict(pb, st, LIT(PREDICT("20", "5")), &when, &err),
                 LEADCORE_OK, err);
    CHECK_STR_EQ(when.data, "null");
    leadcore_buf_free(&when);
    CHECK_STATUS(leadcore_score_state_predict(pb, st, LIT(PREDICT("500", "30")), &when, &err),
                 LEADCORE_OK, err);
    CHECK_STR_EQ(when.data, "null");
    leadcore_buf_free(&when);
#undef PREDICT
    leadcore_score_state_free(st);
    leadcore_playbook_free(pb);
}

static void test_score_states_round_trip_and_are_checked(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_score_state *st = new_score_state(pb, "A");
    record_lead_a(pb, st);
    leadcore_buf json = score_state_json(st);
    CHECK_CONTAINS(json.data, "\"lead_id\":\"A\",\"rules\":[{\"model\":\"engagement\",");
    CHECK_CONTAINS(json.data, "\"schema_version\":1");
    leadcore_score_state *back = NULL;
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_score_state_from_json(pb, json.data, json.len, &back, &err), LEADCORE_OK,
                 err);
    leadcore_buf json2 = score_state_json(back);
    CHECK(same_buf(json, json2));
    leadcore_buf c1 = card_json(pb, st, CARD_A), c2 = card_json(pb, back, CARD_A);
    CHECK(same_buf(c1, c2));

    /* Another playbook's rules, another format version, malformed JSON. */
    leadcore_playbook *other = yaml_playbook(HALF_LIFE_YAML);
    leadcore_score_state *out = SENTINEL;
    CHECK_STATUS(leadcore_score_state_from_json(other, json.data, json.len, &out, &err),
                 LEADCORE_INVALID_INPUT, err);
    if (err) CHECK_CONTAINS(leadcore_error_message(err), "another playbook's rules");
    expect_error(err, LEADCORE_INVALID_INPUT, "input.invalid");
    /* ... and the calls that take a state check it against their playbook too. */
    leadcore_buf card = sentinel_buf();
    err = NULL;
    CHECK_STATUS(leadcore_score_state_card(other, st, LIT("{\"lead\":{\"id\":\"A\"}," NOW "}"),
                                           &card, &err),
                 LEADCORE_INVALID_INPUT, err);
    expect_error(err, LEADCORE_INVALID_INPUT, "input.invalid");
    err = NULL;
    CHECK_STATUS(leadcore_score_state_predict(
                     other, st,
                     LIT("{\"horizon_days\":5,\"lead\":{\"id\":\"A\"},\"model\":\"interest\"," NOW
                         ",\"threshold\":1}"),
                     &card, &err),
                 LEADCORE_INVALID_INPUT, err);
    expect_error(err, LEADCORE_INVALID_INPUT, "input.invalid");
    CHECK(is_sentinel_buf(card));
    leadcore_event e = event_at("meeting_held", T_S);
    err = NULL;
    CHECK_STATUS(leadcore_score_state_record(other, st, &e, NOW_S, &err), LEADCORE_INVALID_INPUT,
                 err);
    expect_error(err, LEADCORE_INVALID_INPUT, "input.invalid");

    char *v99 = malloc(json.len + 2);
    CHECK(v99 != NULL);
    if (v99) {
        memcpy(v99, json.data, json.len + 1);
        char *v = strstr(v99, "\"schema_version\":1");
        if (v) {
            memmove(v + 18, v + 17, strlen(v + 17) + 1);
            memcpy(v + 17, "99", 2);
        }
        err = NULL;
        CHECK_STATUS(leadcore_score_state_from_json(pb, STR(v99), &out, &err),
                     LEADCORE_UNSUPPORTED_VERSION, err);
        expect_error(err, LEADCORE_UNSUPPORTED_VERSION, "state.unsupported_version");
        free(v99);
    }
    /* Times out of order or beyond what the engine can represent are refused. */
    static const char downloads[] = "\"rule\":\"content_download\",\"times\":[";
    static const char *const bad_times[] = {"1772442120,1772442060,1772442000",
                                            "-9223372036854775808,1772442060,1772442120"};
    char *at = strstr((const char *)json.data, downloads);
    CHECK(at != NULL);
    for (size_t i = 0; at != NULL && i < 2; i++) {
        size_t head = (size_t)(at - (const char *)json.data) + strlen(downloads);
        const char *tail = strchr((const char *)json.data + head, ']');
        char *edited = malloc(json.len + 64);
        if (edited == NULL || tail == NULL) break;
        snprintf(edited, json.len + 64, "%.*s%s%s", (int)head, (const char *)json.data,
                 bad_times[i], tail);
        err = NULL;
        CHECK_STATUS(leadcore_score_state_from_json(pb, STR(edited), &out, &err),
                     LEADCORE_INVALID_INPUT, err);
        if (err)
            CHECK_CONTAINS(leadcore_error_message(err), "times must be ascending, representable");
        expect_error(err, LEADCORE_INVALID_INPUT, "input.invalid");
        free(edited);
    }
    static const char *const broken[] = {"", "[1,", "{}", "{\"lead_id\":\"A\"}",
                                         "{\"lead_id\":\"A\",\"rules\":[],\"schema_version\":1,"
                                         "\"colour\":\"red\"}"};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        err = NULL;
        CHECK_STATUS(leadcore_score_state_from_json(pb, STR(broken[i]), &out, &err),
                     LEADCORE_INVALID_INPUT, err);
        expect_error(err, LEADCORE_INVALID_INPUT, "input.invalid");
    }
    CHECK(out == SENTINEL);

    /* Lead ids: any UTF-8 (including the empty string), never invalid bytes. */
    leadcore_score_state *u = NULL;
    err = NULL;
    CHECK_STATUS(leadcore_score_state_new(pb, LIT("L-\xc3\xa9"), &u, &err), LEADCORE_OK, err);
    leadcore_buf ju = score_state_json(u);
    CHECK_CONTAINS(ju.data, "\"lead_id\":\"L-\xc3\xa9\"");
    leadcore_buf_free(&ju);
    leadcore_score_state_free(u);
    u = NULL;
    CHECK_STATUS(leadcore_score_state_new(pb, NULL, 0, &u, &err), LEADCORE_OK, err);
    leadcore_score_state_free(u);
    static const uint8_t bad_utf8[] = {'L', 0x80};
    err = NULL;
    CHECK_STATUS(leadcore_score_state_new(pb, bad_utf8, 2, &out, &err), LEADCORE_INVALID_UTF8,
                 err);
    expect_error(err, LEADCORE_INVALID_UTF8, "ffi.invalid_utf8");
    CHECK(out == SENTINEL);

    leadcore_buf_free(&c1);
    leadcore_buf_free(&c2);
    leadcore_buf_free(&json);
    leadcore_buf_free(&json2);
    leadcore_score_state_free(back);
    leadcore_score_state_free(st);
    leadcore_playbook_free(other);
    leadcore_playbook_free(pb);
}

static void test_null_arguments_of_state_calls(void) {
    leadcore_playbook *pb = default_playbook();
    leadcore_score_state *st = new_score_state(pb, "A");
    leadcore_score_state *st_out = SENTINEL;
    leadcore_buf buf = sentinel_buf();
    leadcore_error *err = NULL;
    EXPECT_NULL_ARG(leadcore_score_state_new(NULL, LIT("A"), &st_out, &err));
    EXPECT_NULL_ARG(leadcore_score_state_new(pb, NULL, 1, &st_out, &err));
    EXPECT_NULL_ARG(leadcore_score_state_new(pb, LIT("A"), NULL, &err));
    EXPECT_NULL_ARG(leadcore_score_state_from_json(NULL, LIT("{}"), &st_out, &err));
    EXPECT_NULL_ARG(leadcore_score_state_from_json(pb, NULL, 2, &st_out, &err));
    EXPECT_NULL_ARG(leadcore_score_state_from_json(pb, LIT("{}"), NULL, &err));
    EXPECT_NULL_ARG(leadcore_score_state_to_json(NULL, &buf, &err));
    EXPECT_NULL_ARG(leadcore_score_state_to_json(st, NULL, &err));
    EXPECT_NULL_ARG(leadcore_scoring_model_names(NULL, &buf, &err));
    EXPECT_NULL_ARG(leadcore_scoring_model_names(pb, NULL, &err));
    CHECK(st_out == SENTINEL && is_sentinel_buf(buf));
    CHECK(leadcore_scoring_model_count(NULL) == 0);

    /* A playbook without scoring has no models, and scores nothing. */
    leadcore_playbook *bare = yaml_playbook(
        "schema_version: 1\nlifecycle: {name: lead, initial: New, stages: [{name: New}]}\n");
    CHECK(leadcore_scoring_model_count(bare) == 0);
    leadcore_buf names = {0};
    CHECK_STATUS(leadcore_scoring_model_names(bare, &names, &err), LEADCORE_OK, err);
    CHECK_STR_EQ(names.data, "[]");
    leadcore_buf_free(&names);
    leadcore_playbook_free(bare);

    /* err may be NULL; success leaves *err alone. */
    leadcore_event e = event_at("email_opened", T_S);
    CHECK(leadcore_score_state_record(pb, st, &e, NOW_S, NULL) == LEADCORE_OK);
    e.at_unix_s = NOW_S + 9999;
    CHECK(leadcore_score_state_record(pb, st, &e, NOW_S, NULL) == LEADCORE_BAD_EVENT);
    leadcore_error *untouched = SENTINEL;
    e.at_unix_s = T_S;
    CHECK(leadcore_score_state_record(pb, st, &e, NOW_S, &untouched) == LEADCORE_OK);
    CHECK(untouched == SENTINEL);

    leadcore_score_state_free(st);
    leadcore_score_state_free(NULL);
    leadcore_playbook_free(pb);
}

/* One playbook, many threads, each scoring through every path. */
static int worker(void *p) {
    worker_arg *arg = p;
    arg->ok = 1;
    for (int i = 0; i < 10; i++) {
        leadcore_buf card = {0}, row_errors = {0};
        if (leadcore_score(arg->pb, LIT(SCORE_B), &card, NULL) != LEADCORE_OK ||
            model_score(card.data, "engagement") != 19.0)
            arg->ok = 0;
        leadcore_buf_free(&card);
        batch b;
        make_batch(&b);
        double scores[SCORES] = {0};
        if (leadcore_score_columns(arg->pb, LIT(LEADS_JSON), &b.cols, NOW_S, scores, SCORES,
                                   &row_errors, NULL) != LEADCORE_OK ||
            scores[0] != 76.0 || scores[3] != 14.0)
            arg->ok = 0;
        leadcore_buf_free(&row_errors);
    }
    return 0;
}

static void test_scoring_shares_a_playbook_across_threads(void) {
    leadcore_playbook *pb = default_playbook();
    check_shared_across_threads(pb, worker);
    leadcore_playbook_free(pb);
}

void scoring_tests(void) {
    run_test("scoring: the worked example scores 76 and 19",
             test_the_worked_example_scores_76_and_19);
    run_test("scoring: typed record then card equals leadcore_score",
             test_typed_record_then_card_equals_score);
    run_test("scoring: columns give the scores of the JSON table",
             test_columns_give_the_scores_of_the_json_table);
    run_test("scoring: bad columns are refused, outputs untouched",
             test_bad_columns_are_refused_and_outputs_untouched);
    run_test("scoring: bad events are refused, state unchanged",
             test_bad_events_are_refused_and_the_state_is_unchanged);
    run_test("scoring: bad JSON inputs have typed statuses",
             test_bad_json_inputs_have_typed_statuses);
    run_test("scoring: thresholds fire once after typed records",
             test_thresholds_fire_once_after_typed_records);
    run_test("scoring: predict gives the crossing time or null",
             test_predict_gives_the_crossing_time_or_null);
    run_test("scoring: score states round-trip and are checked",
             test_score_states_round_trip_and_are_checked);
    run_test("scoring: NULL arguments, err NULL, _free(NULL)", test_null_arguments_of_state_calls);
    run_test("scoring: a playbook is shared across threads",
             test_scoring_shares_a_playbook_across_threads);
}
