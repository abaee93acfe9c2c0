/* Unit tests of the C door's Arrow tables for analytics and forecasts:
 * leadcore_pipeline_metrics_arrow, an opportunities table (int64 ids, a utf8 owner, int64
 * creation times) and its stage history (in time order across deals), and
 * leadcore_forecast_arrow, a table of open deals; each handed over as Arrow C streams built
 * by hand here, the tables that come back read and compared with the JSON form on the same
 * deals; every stream released exactly once, on success and on failure. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* 2026-01-05 and days after it, in Unix seconds. */
#define DAY(d) (INT64_C(1767571200) + (int64_t)(d) * 86400)

enum { DEALS = 3, ENTRIES = 5, MAX_COLUMNS = 6 };

static const int64_t OPP_ID[DEALS] = {70, 80, 90};
static const char *const OWNER[DEALS] = {"ann", "ann", "bob"};
static const int64_t CREATED[DEALS] = {DAY(0), DAY(1), DAY(2)};

/* Deal 70: Lead, Won on day 10; deal 80: Lead, Lost on day 20; deal 90: Lead. */
static const int64_t ENTRY_ID[ENTRIES] = {70, 80, 90, 70, 80};
static const int64_t ENTRY_AT[ENTRIES] = {DAY(0), DAY(1), DAY(2), DAY(10), DAY(20)};
static const char *const ENTRY_STAGE[ENTRIES] = {"Lead", "Lead", "Lead", "Won", "Lost"};

#define SPEC                                                                                 \
    "{\"stages\":[\"Lead\",{\"name\":\"Won\",\"kind\":\"won\"},{\"name\":\"Lost\",\"kind\":" \
    "\"lost\"}],\"period\":{\"from\":\"2026-01-01T00:00:00Z\",\"to\":"                       \
    "\"2026-04-01T00:00:00Z\"},\"group_by\":[\"owner\"]"

/* The same deals as the JSON form of leadcore_pipeline_metrics. */
#define H(at, stage) "{\"at\":\"" at "T00:00:00Z\",\"stage\":\"" stage "\"}"
#define JSON_INPUT                                                                           \
    SPEC ",\"opportunities\":["                                                              \
    "{\"id\":\"70\",\"owner\":\"ann\",\"created_at\":\"2026-01-05T00:00:00Z\",\"history\":[" \
    H("2026-01-05", "Lead") "," H("2026-01-15", "Won") "]},"                                 \
    "{\"id\":\"80\",\"owner\":\"ann\",\"created_at\":\"2026-01-06T00:00:00Z\",\"history\":[" \
    H("2026-01-06", "Lead") "," H("2026-01-25", "Lost") "]},"                                \
    "{\"id\":\"90\",\"owner\":\"bob\",\"created_at\":\"2026-01-07T00:00:00Z\",\"history\":[" \
    H("2026-01-07", "Lead") "]}]}"

/* ---- A producer of one record batch: each column int64 ("l"), float64 ("g") or utf8 ("u") */

typedef struct {
    const char *name;
    const char *format;
    const int64_t *ints;
    const char *const *texts;
    const double *doubles;
} column;

typedef struct {
    column columns[MAX_COLUMNS];
    int n_columns;
    int rows;
    int done;
    int *released;
} producer;

typedef struct {
    const void *buffers[3];
    int32_t *offsets;
    char *data;
} column_data;

static void release_array(struct ArrowArray *a) {
    column_data *c = a->private_data;
    if (c) {
        free(c->offsets);
        free(c->data);
        free(c);
    }
    for (int64_t i = 0; i < a->n_children; i++) {
        if (a->children[i]->release) a->children[i]->release(a->children[i]);
        free(a->children[i]);
    }
    free(a->children);
    if (!c) free(a->buffers);
    a->release = NULL;
}

static struct ArrowArray *column_array(const column *col, int rows) {
    struct ArrowArray *a = calloc(1, sizeof *a);
    column_data *c = calloc(1, sizeof *c);
    if (!a || !c) abort();
    a->length = rows;
    a->private_data = c;
    a->release = release_array;
    a->buffers = c->buffers;
    if (col->ints || col->doubles) {
        a->n_buffers = 2;
        /* static data: nothing to free */
        c->buffers[1] = col->ints ? (const void *)col->ints : (const void *)col->doubles;
        return a;
    }
    size_t bytes = 0;
    for (int i = 0; i < rows; i++) bytes += strlen(col->texts[i]);
    c->offsets = calloc((size_t)rows + 1, sizeof *c->offsets);
    c->data = malloc(bytes + 1);
    if (!c->offsets || !c->data) abort();
    int32_t at = 0;
    for (int i = 0; i < rows; i++) {
        size_t len = strlen(col->texts[i]);
        memcpy(c->data + at, col->texts[i], len);
        at += (int32_t)len;
        c->offsets[i + 1] = at;
    }
    a->n_buffers = 3;
    c->buffers[1] = c->offsets;
    c->buffers[2] = c->data;
    return a;
}

static void release_schema(struct ArrowSchema *s) {
    for (int64_t i = 0; i < s->n_children; i++) {
        free(s->children[i]);
    }
    free(s->children);
    s->release = NULL;
}

static void release_child_schema(struct ArrowSchema *s) { s->release = NULL; }

static int get_schema(struct ArrowArrayStream *stream, struct ArrowSchema *out) {
    producer *p = stream->private_data;
    memset(out, 0, sizeof *out);
    out->format = "+s";
    out->name = "";
    out->n_children = p->n_columns;
    out->children = calloc((size_t)p->n_columns, sizeof *out->children);
    if (!out->children) abort();
    for (int i = 0; i < p->n_columns; i++) {
        struct ArrowSchema *f = calloc(1, sizeof *f);
        if (!f) abort();
        f->format = p->columns[i].format;
        f->name = p->columns[i].name;
        f->release = release_child_schema;
        out->children[i] = f;
    }
    out->release = release_schema;
    return 0;
}

static int get_next(struct ArrowArrayStream *stream, struct ArrowArray *out) {
    producer *p = stream->private_data;
    memset(out, 0, sizeof *out);
    if (p->done) return 0; /* released: the end of the stream */
    p->done = 1;
    out->length = p->rows;
    out->n_buffers = 1;
    out->buffers = calloc(1, sizeof *out->buffers);
    out->n_children = p->n_columns;
    out->children = calloc((size_t)p->n_columns, sizeof *out->children);
    if (!out->buffers || !out->children) abort();
    for (int i = 0; i < p->n_columns; i++) out->children[i] = column_array(&p->columns[i], p->rows);
    out->release = release_array;
    return 0;
}

static const char *get_last_error(struct ArrowArrayStream *stream) {
    (void)stream;
    return NULL;
}

static void release_stream(struct ArrowArrayStream *stream) {
    producer *p = stream->private_data;
    (*p->released)++;
    free(p);
    stream->release = NULL;
}

static struct ArrowArrayStream table_stream(const column *columns, int n_columns, int rows,
                                            int *released) {
    producer *p = calloc(1, sizeof *p);
    if (!p) abort();
    for (int i = 0; i < n_columns; i++) p->columns[i] = columns[i];
    p->n_columns = n_columns;
    p->rows = rows;
    p->released = released;
    struct ArrowArrayStream s = {get_schema, get_next, get_last_error, release_stream, p};
    return s;
}

static struct ArrowArrayStream opportunities(int *released) {
    const column cols[] = {{"opportunity_id", "l", OPP_ID, NULL, NULL},
                           {"owner", "u", NULL, OWNER, NULL},
                           {"created_at", "l", CREATED, NULL, NULL}};
    return table_stream(cols, 3, DEALS, released);
}

static struct ArrowArrayStream history(const char *const *stages, int *released) {
    const column cols[] = {{"opportunity_id", "l", ENTRY_ID, NULL, NULL},
                           {"at", "l", ENTRY_AT, NULL, NULL},
                           {"stage", "u", NULL, stages, NULL}};
    return table_stream(cols, 3, ENTRIES, released);
}

/* ---- The tests --------------------------------------------------------------------------- */

/* The index of the column `name` of a schema, or -1. */
static int64_t column_index(const struct ArrowSchema *s, const char *name) {
    for (int64_t i = 0; i < s->n_children; i++) {
        if (strcmp(s->children[i]->name, name) == 0) return i;
    }
    return -1;
}

static void test_tables_give_the_json_forms_figures(void) {
    leadcore_error *err = NULL;
    int released = 0;
    struct ArrowArrayStream opps = opportunities(&released);
    struct ArrowArrayStream hist = history(ENTRY_STAGE, &released);
    struct ArrowArrayStream out;
    memset(&out, 0, sizeof out);
    EXPECT_OK(leadcore_pipeline_metrics_arrow(NULL, LIT(SPEC "}"), &opps, &hist, &out, &err));
    CHECK(released == 2 && opps.release == NULL && hist.release == NULL);

    struct ArrowSchema schema;
    struct ArrowArray batch;
    CHECK(out.get_schema(&out, &schema) == 0);
    CHECK(out.get_next(&out, &batch) == 0 && batch.release != NULL);
    /* a row per group (ann, bob) and stage (Lead, Won, Lost) */
    CHECK(batch.length == 6);
    int64_t entered = column_index(&schema, "entered"), win = column_index(&schema, "win_rate");
    int64_t dwell = column_index(&schema, "dwell_median_s");
    CHECK(entered >= 0 && win >= 0 && dwell >= 0);
    CHECK_STR_EQ(schema.children[entered]->format, "L");
    if (entered >= 0 && win >= 0 && dwell >= 0 && batch.length == 6) {
        const uint64_t *e = batch.children[entered]->buffers[1];
        const double *w = batch.children[win]->buffers[1];
        const int64_t *d = batch.children[dwell]->buffers[1];
        CHECK(e[0] == 2 && e[1] == 1 && e[2] == 1 && e[3] == 1 && e[4] == 0 && e[5] == 0);
        /* the JSON form: ann's win rate 0.5, Lead's median dwell 10 days (the lower middle
         * of 10 and 19) */
        leadcore_buf b = LEADCORE_BUF_INIT;
        EXPECT_OK(leadcore_pipeline_metrics(NULL, LIT(JSON_INPUT), &b, &err));
        char *json = text_of(b);
        CHECK(json != NULL);
        if (json) {
            CHECK_CONTAINS(json, "\"key\":{\"owner\":\"ann\"}");
            CHECK_CONTAINS(json, "\"dwell\":{\"count\":2,\"mean_seconds\":1252800.0,"
                                 "\"median_seconds\":864000,\"p90_seconds\":1641600}");
            CHECK_CONTAINS(json, "\"rate\":0.5,\"won\":1}");
            free(json);
        }
        leadcore_buf_free(&b);
        CHECK(w[0] == 0.5 && d[0] == 864000);
    }
    batch.release(&batch);
    struct ArrowArray end;
    CHECK(out.get_next(&out, &end) == 0 && end.release == NULL);
    schema.release(&schema);
    out.release(&out);
}

static void test_errors_are_typed_and_the_streams_released(void) {
    leadcore_error *err = NULL;
    int released = 0;
    struct ArrowArrayStream out;
    memset(&out, 0, sizeof out);

    /* An unknown stage in the history. */
    static const char *const SIGNED[ENTRIES] = {"Lead", "Lead", "Lead", "Signed", "Lost"};
    struct ArrowArrayStream opps = opportunities(&released);
    struct ArrowArrayStream hist = history(SIGNED, &released);
    EXPECT_FAILURE(leadcore_pipeline_metrics_arrow(NULL, LIT(SPEC "}"), &opps, &hist, &out, &err),
                   LEADCORE_UNKNOWN_STAGE, "lifecycle.unknown_stage");
    CHECK(released == 2 && out.release == NULL);

    /* Opportunities in the spec: refused, the streams still released. */
    opps = opportunities(&released);
    hist = history(ENTRY_STAGE, &released);
    EXPECT_INVALID_INPUT(leadcore_pipeline_metrics_arrow(
        NULL, LIT(SPEC ",\"opportunities\":[]}"), &opps, &hist, &out, &err));
    CHECK(released == 4);

    /* NULL opportunities, NULL out: refused; what was given is released. */
    hist = history(ENTRY_STAGE, &released);
    EXPECT_NULL_ARG(leadcore_pipeline_metrics_arrow(NULL, LIT(SPEC "}"), NULL, &hist, &out, &err));
    CHECK(released == 5 && hist.release == NULL);
    opps = opportunities(&released);
    EXPECT_NULL_ARG(leadcore_pipeline_metrics_arrow(NULL, LIT(SPEC "}"), &opps, NULL, NULL, &err));
    CHECK(released == 6 && opps.release == NULL && out.release == NULL);

    /* No history: deals at their current stage only (none given here: empty stages). */
    opps = opportunities(&released);
    EXPECT_OK(leadcore_pipeline_metrics_arrow(NULL, LIT(SPEC "}"), &opps, NULL, &out, &err));
    CHECK(released == 7 && out.release != NULL);
    if (out.release) out.release(&out);
}

/* Open deals for the forecast. */
static const int64_t DEAL_ID[DEALS] = {1, 2, 3};
static const int64_t AMOUNT[DEALS] = {1000, 2500, 400};
static const char *const CURRENCY[DEALS] = {"USD", "USD", "USD"};
static const char *const CLOSE[DEALS] = {"2026-02-01", "2026-05-10", "2026-03-31"};
static const char *const STAGE[DEALS] = {"Demo", "Proposal", "Demo"};
static const double PROBABILITY[DEALS] = {0.2, 0.6, 0.9};

static struct ArrowArrayStream open_deals(int *released) {
    const column cols[] = {{"id", "l", DEAL_ID, NULL, NULL},
                           {"amount", "l", AMOUNT, NULL, NULL},
                           {"currency", "u", NULL, CURRENCY, NULL},
                           {"close_date", "u", NULL, CLOSE, NULL},
                           {"stage", "u", NULL, STAGE, NULL},
                           {"probability", "g", NULL, NULL, PROBABILITY}};
    return table_stream(cols, 6, DEALS, released);
}

#define FORECAST_SPEC                                                                       \
    "{\"calendar\":{\"start_month\":1},\"granularity\":\"quarter\",\"monte_carlo\":{"      \
    "\"trials\":500,\"seed\":7}"
#define DEAL(id, amount, close, stage, p)                                                      \
    "{\"id\":\"" id "\",\"amount\":{\"minor\":" amount ",\"currency\":\"USD\"},"           \
    "\"close_date\":\"" close "\",\"stage\":\"" stage "\",\"probability\":" p "}"

static void test_a_forecast_from_a_table_of_deals(void) {
    leadcore_error *err = NULL;
    int released = 0;
    struct ArrowArrayStream deals = open_deals(&released);
    struct ArrowArrayStream weighted, mc;
    memset(&weighted, 0, sizeof weighted);
    memset(&mc, 0, sizeof mc);
    EXPECT_OK(leadcore_forecast_arrow(LIT(FORECAST_SPEC "}"), &deals, 2, &weighted, &mc, &err));
    CHECK(released == 1 && deals.release == NULL);
    CHECK(weighted.release != NULL && mc.release != NULL);

    /* The JSON form of the same deals: Q1 weighted 0.2 x 1000 + 0.9 x 400 = 560, Q2 1500. */
    leadcore_buf b = LEADCORE_BUF_INIT;
    EXPECT_OK(leadcore_forecast(LIT(FORECAST_SPEC ",\"deals\":["
                                    DEAL("1", "1000", "2026-02-01", "Demo", "0.2") ","
                                    DEAL("2", "2500", "2026-05-10", "Proposal", "0.6") ","
                                    DEAL("3", "400", "2026-03-31", "Demo", "0.9") "]}"),
                                1, &b, &err));
    char *json = text_of(b);
    CHECK(json != NULL);
    if (json) {
        CHECK_CONTAINS(json, "\"totals\":{\"amount\":1400,\"count\":2,\"weighted\":560}");
        CHECK_CONTAINS(json, "\"totals\":{\"amount\":2500,\"count\":1,\"weighted\":1500}");
        free(json);
    }
    leadcore_buf_free(&b);

    struct ArrowSchema schema;
    struct ArrowArray batch;
    CHECK(weighted.get_schema(&weighted, &schema) == 0);
    CHECK(weighted.get_next(&weighted, &batch) == 0 && batch.release != NULL);
    int64_t w = column_index(&schema, "weighted");
    CHECK(w >= 0 && batch.length == 2);
    if (w >= 0 && batch.length == 2) {
        const int64_t *v = batch.children[w]->buffers[1];
        CHECK(v[0] == 560 && v[1] == 1500);
    }
    batch.release(&batch);
    schema.release(&schema);
    weighted.release(&weighted);
    mc.release(&mc);

    /* Deals in the spec: refused, the stream released; no simulation: NULL is fine. */
    deals = open_deals(&released);
    EXPECT_INVALID_INPUT(leadcore_forecast_arrow(LIT("{\"calendar\":{\"start_month\":1},"
                                                     "\"deals\":[]}"),
                                                 &deals, 1, &weighted, NULL, &err));
    CHECK(released == 2 && weighted.release == NULL);
    deals = open_deals(&released);
    EXPECT_OK(leadcore_forecast_arrow(LIT("{\"calendar\":{\"start_month\":1}}"), &deals, 1,
                                      &weighted, NULL, &err));
    CHECK(released == 3 && weighted.release != NULL);
    if (weighted.release) weighted.release(&weighted);
    deals = open_deals(&released);
    EXPECT_NULL_ARG(leadcore_forecast_arrow(LIT(FORECAST_SPEC "}"), &deals, 1, &weighted, NULL,
                                            &err));
    CHECK(released == 4);
}

void analytics_arrow_tests(void) {
    run_test("forecast arrow: a table of deals gives the JSON form's forecast",
             test_a_forecast_from_a_table_of_deals);
    run_test("analytics arrow: tables give the JSON form's figures",
             test_tables_give_the_json_forms_figures);
    run_test("analytics arrow: errors are typed and the streams released",
             test_errors_are_typed_and_the_streams_released);
}
