/* Unit tests of leadcore_score_arrow and leadcore_score_arrow_leads: events (and leads)
 * handed over as an Arrow C stream built by hand
 * here (a producer as any Arrow library writes one: utf8 lead_id and kind, int64 at, a
 * nullable utf8 page and attrs.tier), scores read back from the stream it returns and
 * compared with leadcore_score_table on the same events as JSON; failing and malformed
 * streams are typed errors and are released exactly once; NULL arguments are refused. The
 * leads' producer gives the leads of LEADS_JSON as a table (lead_id, employees): the same
 * scores and row errors as the JSON, and both streams released exactly once on every path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* 2026-03-02T09:00:00Z and 2026-03-03T09:00:00Z in Unix seconds. */
#define T_S INT64_C(1772442000)
#define NOW_S INT64_C(1772528400)

/* Two models: interest (graded, behaviour rules on page and attrs.tier) and fit. */
static const char PLAYBOOK_YAML[] =
    "schema_version: 1\n"
    "lifecycle: {name: lead, initial: New, stages: [{name: New}]}\n"
    "scoring:\n"
    "  models:\n"
    "    - name: interest\n"
    "      rules:\n"
    "        - {type: behaviour, name: visit, activity: web_visit, points: 1}\n"
    "        - {type: behaviour, name: pricing, activity: web_visit, points: 10,\n"
    "           filters: [{attr: page, op: contains, value: pricing}]}\n"
    "        - {type: behaviour, name: gold, activity: email_clicked, points: 5,\n"
    "           when: {attr: attrs.tier, op: eq, value: gold}}\n"
    "        - {type: behaviour, name: opened, activity: email_opened, points: 2}\n"
    "      grades:\n"
    "        - {grade: A, min: 10}\n"
    "        - {grade: B, max: 10}\n"
    "    - name: fit\n"
    "      rules:\n"
    "        - {type: fit, name: big, field: employees, op: ge, value: 100, points: 20}\n";

#define LEADS_JSON \
    "[{\"firmographics\":{\"employees\":120},\"id\":\"A\"},{\"firmographics\":{\"employees\":8},\"id\":\"B\"}]"

enum { ROWS = 7, COLUMNS = 5 };

/* The events, column by column (NULL: a null value). Row 3 is a visit without a page (it
 * counts as a visit, not for pricing), row 4 a lead nobody gave (unknown_lead), row 6 a year
 * after now (in_future). */
static const char *const LEAD_ID[ROWS] = {"A", "A", "B", "B", "ghost", "A", "B"};
static const char *const KIND[ROWS] = {"web_visit",    "email_clicked", "email_clicked",
                                       "web_visit",    "email_opened",  "email_opened",
                                       "email_opened"};
static const int64_t AT[ROWS] = {T_S,       T_S + 60,  T_S + 120,          T_S + 180,
                                 T_S + 240, T_S + 300, NOW_S + 366 * 86400};
static const char *const PAGE[ROWS] = {"/pricing", NULL, NULL, NULL, NULL, NULL, NULL};
static const char *const TIER[ROWS] = {NULL, "gold", "silver", NULL, NULL, "gold", NULL};

/* The same events as the JSON table of leadcore_score_table. */
#define TABLE_JSON                                                                                 \
    "{\"events\":{\"at\":[1772442000,1772442060,1772442120,1772442180,1772442240,1772442300,"      \
    "1804150800],\"attrs.tier\":[null,\"gold\",\"silver\",null,null,\"gold\",null],\"kind\":["    \
    "\"web_visit\",\"email_clicked\",\"email_clicked\",\"web_visit\",\"email_opened\","             \
    "\"email_opened\",\"email_opened\"],\"lead_id\":[\"A\",\"A\",\"B\",\"B\",\"ghost\",\"A\",\"B\"]," \
    "\"page\":[\"/pricing\",null,null,null,null,null,null]},\"leads\":" LEADS_JSON                  \
    ",\"now\":\"2026-03-03T09:00:00Z\"}"

/* ---- A hand-written producer of the Arrow C stream interface ---------------------------- */

/* What a producer does wrong (or not). */
typedef enum {
    GOOD,
    SCHEMA_FAILS,      /* get_schema returns EINVAL */
    NEXT_FAILS,        /* get_next returns EIO, with a message */
    BAD_UTF8,          /* lead_id holds bytes that are not UTF-8 */
    BAD_OFFSETS,       /* kind's offsets go backwards */
    TOO_FEW_CHILDREN,  /* the batch has fewer columns than its schema (arrow-rs asserts on
                          this: its panic message on stderr is expected, the call returns
                          LEADCORE_INVALID_INPUT) */
    NOT_A_TABLE,       /* the stream's type is int64, not a struct */
    MISSING_AT,        /* no `at` column (the schema and batch lack it) */
} behaviour;

typedef struct {
    behaviour how;
    int rows_per_batch; /* the rows are cut into batches of this many */
    int next_row;
    int *released;      /* counts release calls, outlives the stream */
} producer;

/* One column's array: the buffers it points to live in its private data. */
typedef struct {
    const void *buffers[3];
    uint8_t *validity;
    int32_t *offsets;
    char *data;
    int64_t *ints;
} column_data;

static void release_column(struct ArrowArray *a) {
    column_data *c = a->private_data;
    free(c->validity);
    free(c->offsets);
    free(c->data);
    free(c->ints);
    free(c);
    a->release = NULL;
}

static struct ArrowArray *new_array(int64_t length, int64_t n_buffers, column_data *c) {
    struct ArrowArray *a = calloc(1, sizeof *a);
    if (!a) abort();
    a->length = length;
    a->n_buffers = n_buffers;
    a->buffers = c->buffers;
    a->release = release_column;
    a->private_data = c;
    return a;
}

static column_data *new_column_data(void) {
    column_data *c = calloc(1, sizeof *c);
    if (!c) abort();
    return c;
}

/* A utf8 array of rows [from, from + n) of `values` (NULL entries are nulls). */
static struct ArrowArray *utf8_array(const char *const *values, int from, int n) {
    column_data *c = new_column_data();
    size_t bytes = 0;
    int nulls = 0;
    for (int i = 0; i < n; i++) {
        if (values[from + i]) bytes += strlen(values[from + i]);
        else nulls++;
    }
    c->offsets = calloc((size_t)n + 1, sizeof *c->offsets);
    c->data = malloc(bytes + 1);
    c->validity = nulls ? calloc(1, (size_t)n / 8 + 1) : NULL;
    if (!c->offsets || !c->data || (nulls && !c->validity)) abort();
    int32_t at = 0;
    for (int i = 0; i < n; i++) {
        const char *v = values[from + i];
        if (v) {
            memcpy(c->data + at, v, strlen(v));
            at += (int32_t)strlen(v);
            if (c->validity) c->validity[i / 8] |= (uint8_t)(1u << (i % 8));
        }
        c->offsets[i + 1] = at;
    }
    c->buffers[0] = c->validity;
    c->buffers[1] = c->offsets;
    c->buffers[2] = c->data;
    struct ArrowArray *a = new_array(n, 3, c);
    a->null_count = nulls;
    return a;
}

static struct ArrowArray *int64_array(const int64_t *values, int from, int n) {
    column_data *c = new_column_data();
    c->ints = malloc(sizeof *c->ints * ((size_t)n + 1));
    if (!c->ints) abort();
    for (int i = 0; i < n; i++) c->ints[i] = values[from + i];
    c->buffers[0] = NULL;
    c->buffers[1] = c->ints;
    return new_array(n, 2, c);
}

/* A record batch (a struct array) owns its children and its pointer arrays. */
static void release_batch(struct ArrowArray *a) {
    for (int64_t i = 0; i < a->n_children; i++) {
        if (a->children[i]->release) a->children[i]->release(a->children[i]);
        free(a->children[i]);
    }
    free(a->children);
    free(a->buffers);
    a->release = NULL;
}

static int column_count(behaviour how) { return how == MISSING_AT ? COLUMNS - 1 : COLUMNS; }

static void make_batch(const producer *p, int from, int n, struct ArrowArray *out) {
    memset(out, 0, sizeof *out);
    int columns = column_count(p->how);
    struct ArrowArray **children = calloc(COLUMNS, sizeof *children);
    const void **buffers = calloc(1, sizeof *buffers);
    if (!children || !buffers) abort();
    int k = 0;
    children[k++] = utf8_array(LEAD_ID, from, n);
    children[k++] = utf8_array(KIND, from, n);
    if (p->how != MISSING_AT) children[k++] = int64_array(AT, from, n);
    children[k++] = utf8_array(PAGE, from, n);
    children[k++] = utf8_array(TIER, from, n);
    if (p->how == BAD_UTF8) {
        column_data *c = children[0]->private_data;
        c->data[0] = (char)0xff;
    }
    if (p->how == BAD_OFFSETS && n > 1) {
        column_data *c = children[1]->private_data;
        c->offsets[1] = c->offsets[2] + 1;
    }
    out->length = n;
    out->n_buffers = 1;
    out->buffers = buffers;
    out->n_children = p->how == TOO_FEW_CHILDREN ? columns - 1 : columns;
    if (p->how == TOO_FEW_CHILDREN) {
        release_column(children[columns - 1]);
        free(children[columns - 1]);
    }
    out->children = children;
    out->release = release_batch;
}

/* Schemas: static names and formats; the root owns its children. */
static void release_field(struct ArrowSchema *s) { s->release = NULL; }

static void release_root(struct ArrowSchema *s) {
    for (int64_t i = 0; i < s->n_children; i++) {
        if (s->children[i]->release) s->children[i]->release(s->children[i]);
        free(s->children[i]);
    }
    free(s->children);
    s->release = NULL;
}

static struct ArrowSchema *field(const char *name, const char *format, int64_t flags) {
    struct ArrowSchema *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->format = format;
    s->name = name;
    s->flags = flags;
    s->release = release_field;
    return s;
}

static void make_schema(const producer *p, struct ArrowSchema *out) {
    memset(out, 0, sizeof *out);
    out->name = "";
    out->release = release_root;
    if (p->how == NOT_A_TABLE) {
        out->format = "l";
        return;
    }
    int columns = column_count(p->how);
    struct ArrowSchema **children = calloc(COLUMNS, sizeof *children);
    if (!children) abort();
    int k = 0;
    children[k++] = field("lead_id", "u", 0);
    children[k++] = field("kind", "u", 0);
    if (p->how != MISSING_AT) children[k++] = field("at", "l", 0);
    children[k++] = field("page", "u", ARROW_FLAG_NULLABLE);
    children[k++] = field("attrs.tier", "u", ARROW_FLAG_NULLABLE);
    out->format = "+s";
    out->n_children = columns;
    out->children = children;
}

static int stream_get_schema(struct ArrowArrayStream *stream, struct ArrowSchema *out) {
    producer *p = stream->private_data;
    if (p->how == SCHEMA_FAILS) return EINVAL;
    make_schema(p, out);
    return 0;
}

static int stream_get_next(struct ArrowArrayStream *stream, struct ArrowArray *out) {
    producer *p = stream->private_data;
    if (p->how == NEXT_FAILS) return EIO;
    if (p->how == NOT_A_TABLE || p->next_row >= ROWS) {
        memset(out, 0, sizeof *out); /* released: the end of the stream */
        return 0;
    }
    int n = ROWS - p->next_row < p->rows_per_batch ? ROWS - p->next_row : p->rows_per_batch;
    make_batch(p, p->next_row, n, out);
    p->next_row += n;
    return 0;
}

static const char *stream_get_last_error(struct ArrowArrayStream *stream) {
    producer *p = stream->private_data;
    return p->how == NEXT_FAILS ? "the disk is on fire" : NULL;
}

static void stream_release(struct ArrowArrayStream *stream) {
    producer *p = stream->private_data;
    (*p->released)++;
    free(p);
    stream->release = NULL;
}

/* A stream of the events, cut into batches of `rows_per_batch` rows; `*released` counts
 * its releases. */
static struct ArrowArrayStream events_stream(behaviour how, int rows_per_batch, int *released) {
    producer *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->how = how;
    p->rows_per_batch = rows_per_batch;
    p->released = released;
    struct ArrowArrayStream s = {stream_get_schema, stream_get_next, stream_get_last_error,
                                 stream_release, p};
    return s;
}

/* ---- Reading the result stream back ----------------------------------------------------- */

static int is_valid(const struct ArrowArray *a, int64_t i) {
    const uint8_t *bits = a->buffers[0];
    i += a->offset;
    return bits == NULL || (bits[i / 8] >> (i % 8)) & 1;
}

/* Row i of a utf8 array as a C string in `buf` ("(null)" for a null). */
static const char *utf8_at(const struct ArrowArray *a, int64_t i, char *buf, size_t size) {
    if (!is_valid(a, i)) return "(null)";
    const int32_t *offsets = a->buffers[1];
    const char *data = a->buffers[2];
    int64_t at = a->offset + i;
    int len = (int)(offsets[at + 1] - offsets[at]);
    snprintf(buf, size, "%.*s", len, data + offsets[at]);
    return buf;
}

static double double_at(const struct ArrowArray *a, int64_t i) {
    const double *values = a->buffers[1];
    return values[a->offset + i];
}

/* Numbers of the JSON array after "key": in canonical JSON. */
static size_t number_array(const uint8_t *json, const char *key, double *out, size_t max) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":[", key);
    const char *p = strstr((const char *)json, pattern);
    if (!p) return 0;
    p += strlen(pattern);
    size_t n = 0;
    while (n < max && *p != ']') {
        char *end;
        out[n++] = strtod(p, &end);
        if (end == p) return 0;
        p = *end == ',' ? end + 1 : end;
    }
    return n;
}

/* Reads the scores stream: checks its schema and its one batch against the JSON table's
 * scores and grades (models interest then fit, lead-major), then releases it. */
static void check_scores_stream(struct ArrowArrayStream *s, const double *want) {
    static const char *const NAMES[] = {"lead_id", "score_interest", "grade_interest",
                                        "score_fit"};
    static const char *const FORMATS[] = {"u", "g", "u", "g"};
    struct ArrowSchema schema;
    CHECK(s->release != NULL);
    CHECK(s->get_schema(s, &schema) == 0);
    CHECK_STR_EQ(schema.format, "+s");
    CHECK(schema.n_children == 4);
    for (int64_t i = 0; i < schema.n_children && i < 4; i++) {
        CHECK_STR_EQ(schema.children[i]->name, NAMES[i]);
        CHECK_STR_EQ(schema.children[i]->format, FORMATS[i]);
    }
    CHECK(schema.n_children == 4 && (schema.children[2]->flags & ARROW_FLAG_NULLABLE));
    schema.release(&schema);
    CHECK(schema.release == NULL);

    struct ArrowArray batch;
    CHECK(s->get_next(s, &batch) == 0);
    CHECK(batch.release != NULL);
    if (batch.release) {
        CHECK(batch.length == 2 && batch.n_children == 4);
        char buf[32];
        CHECK_STR_EQ(utf8_at(batch.children[0], 0, buf, sizeof buf), "A");
        CHECK_STR_EQ(utf8_at(batch.children[0], 1, buf, sizeof buf), "B");
        for (int lead = 0; lead < 2; lead++) {
            CHECK(double_at(batch.children[1], lead) == want[lead * 2]);
            CHECK(double_at(batch.children[3], lead) == want[lead * 2 + 1]);
        }
        CHECK_STR_EQ(utf8_at(batch.children[2], 0, buf, sizeof buf), "A");
        CHECK_STR_EQ(utf8_at(batch.children[2], 1, buf, sizeof buf), "B");
        batch.release(&batch);
        CHECK(batch.release == NULL);
    }
    struct ArrowArray end;
    CHECK(s->get_next(s, &end) == 0);
    CHECK(end.release == NULL); /* one batch, then the end of the stream */
    s->release(s);
    CHECK(s->release == NULL);
}

static leadcore_playbook *arrow_playbook(void) {
    leadcore_playbook *pb = NULL;
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_playbook_parse(LEADCORE_FORMAT_YAML, STR(PLAYBOOK_YAML), &pb, &err),
                 LEADCORE_OK, err);
    leadcore_error_free(err);
    return pb;
}

/* The JSON table's row_errors array, copied into `out`. */
static void table_row_errors(const uint8_t *table, char *out, size_t size) {
    const char *from = strstr((const char *)table, "\"row_errors\":");
    const char *to = strstr((const char *)table, ",\"scores\":");
    out[0] = '\0';
    if (!from || !to || to < from) return;
    from += strlen("\"row_errors\":");
    snprintf(out, size, "%.*s", (int)(to - from), from);
}

static void test_a_stream_gives_the_scores_of_the_json_table(void) {
    leadcore_playbook *pb = arrow_playbook();
    leadcore_error *err = NULL;
    leadcore_buf table = {0};
    CHECK_STATUS(leadcore_score_table(pb, LIT(TABLE_JSON), &table, &err), LEADCORE_OK, err);
    double want[4] = {0};
    CHECK(number_array(table.data, "scores", want, 4) == 4);
    /* A: visit 1 + pricing 10 + gold click 5 + open 2; B: a silver click (0) and a visit
     * without a page (1, no pricing); fit: A is big. */
    CHECK(want[0] == 18 && want[1] == 20 && want[2] == 1 && want[3] == 0);
    CHECK_CONTAINS(table.data, "\"grades\":[\"A\",null,\"B\",null]");
    char want_errors[512];
    table_row_errors(table.data, want_errors, sizeof want_errors);
    CHECK_CONTAINS(want_errors, "\"reason\":\"unknown_lead\",\"row\":4}");
    CHECK_CONTAINS(want_errors, "\"reason\":\"in_future\",\"row\":6}");

    /* One batch, then the same rows in batches of 4 and 3 (rows are numbered across them). */
    static const int split[] = {ROWS, 4};
    for (size_t i = 0; i < sizeof split / sizeof split[0]; i++) {
        int released = 0;
        struct ArrowArrayStream events = events_stream(GOOD, split[i], &released);
        struct ArrowArrayStream scores;
        memset(&scores, 0, sizeof scores);
        leadcore_buf row_errors = {0};
        CHECK_STATUS(leadcore_score_arrow(pb, LIT(LEADS_JSON), &events, NOW_S, &scores,
                                          &row_errors, &err),
                     LEADCORE_OK, err);
        CHECK(released == 1);           /* the library released the input stream */
        CHECK(events.release == NULL);  /* and marked the caller's struct released */
        CHECK_STR_EQ(row_errors.data, want_errors);
        check_scores_stream(&scores, want);
        leadcore_buf_free(&row_errors);
    }

    /* No leads: a batch of no rows; every event is an unknown lead. */
    int released = 0;
    struct ArrowArrayStream events = events_stream(GOOD, ROWS, &released);
    struct ArrowArrayStream scores;
    leadcore_buf row_errors = {0};
    CHECK_STATUS(
        leadcore_score_arrow(pb, LIT("[]"), &events, NOW_S, &scores, &row_errors, &err),
        LEADCORE_OK, err);
    CHECK(released == 1);
    CHECK_CONTAINS(row_errors.data, "\"reason\":\"unknown_lead\",\"row\":5}");
    struct ArrowArray batch;
    CHECK(scores.get_next(&scores, &batch) == 0);
    CHECK(batch.release != NULL && batch.length == 0);
    if (batch.release) batch.release(&batch);
    scores.release(&scores);
    leadcore_buf_free(&row_errors);

    /* No leads JSON at all: one lead per distinct lead_id, in order of first appearance
     * (A, B, ghost), none unknown; the year-ahead event is still in_future. */
    events = events_stream(GOOD, ROWS, &released);
    CHECK_STATUS(leadcore_score_arrow(pb, NULL, 0, &events, NOW_S, &scores, &row_errors, &err),
                 LEADCORE_OK, err);
    CHECK(events.release == NULL);
    CHECK(strstr((const char *)row_errors.data, "unknown_lead") == NULL);
    CHECK_CONTAINS(row_errors.data, "\"reason\":\"in_future\",\"row\":6}");
    CHECK(scores.get_next(&scores, &batch) == 0);
    CHECK(batch.release != NULL && batch.length == 3);
    if (batch.release) batch.release(&batch);
    scores.release(&scores);
    leadcore_buf_free(&row_errors);

    leadcore_buf_free(&table);
    leadcore_playbook_free(pb);
}

/* Fills the outputs with values a failed call must leave alone. */
static void preset(struct ArrowArrayStream *scores, leadcore_buf *row_errors) {
    memset(scores, 0, sizeof *scores);
    scores->private_data = SENTINEL;
    *row_errors = sentinel_buf();
}

static int untouched(const struct ArrowArrayStream *scores, leadcore_buf row_errors) {
    return scores->private_data == SENTINEL && scores->release == NULL &&
           scores->get_next == NULL && is_sentinel_buf(row_errors);
}

static void test_bad_streams_are_typed_errors_and_released(void) {
    leadcore_playbook *pb = arrow_playbook();
    struct {
        behaviour how;
        const char *message;
    } cases[] = {
        {SCHEMA_FAILS, "Cannot get schema"},
        {NEXT_FAILS, "the disk is on fire"},
        {BAD_UTF8, "malformed Arrow data"},
        {BAD_OFFSETS, "malformed Arrow data"},
        {TOO_FEW_CHILDREN, "events:"},
        {NOT_A_TABLE, "expected a table of columns"},
        {MISSING_AT, "no `at` column"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int released = 0;
        struct ArrowArrayStream events = events_stream(cases[i].how, ROWS, &released);
        struct ArrowArrayStream scores;
        leadcore_buf row_errors;
        preset(&scores, &row_errors);
        leadcore_error *err = NULL;
        CHECK_STATUS(leadcore_score_arrow(pb, LIT(LEADS_JSON), &events, NOW_S, &scores,
                                          &row_errors, &err),
                     LEADCORE_INVALID_INPUT, err);
        if (err) CHECK_CONTAINS(leadcore_error_message(err), cases[i].message);
        expect_error(err, LEADCORE_INVALID_INPUT, "input.invalid");
        CHECK(released == 1);
        CHECK(events.release == NULL);
        CHECK(untouched(&scores, row_errors));
    }

    /* A stream released already, or lacking a callback: refused, released once at most. */
    int released = 0;
    struct ArrowArrayStream events = events_stream(GOOD, ROWS, &released);
    events.release(&events);
    struct ArrowArrayStream scores;
    leadcore_buf row_errors;
    preset(&scores, &row_errors);
    leadcore_error *err = NULL;
    EXPECT_INVALID_INPUT(leadcore_score_arrow(pb, LIT(LEADS_JSON), &events, NOW_S, &scores,
                                              &row_errors, &err));
    CHECK(released == 1);
    events = events_stream(GOOD, ROWS, &released);
    events.get_next = NULL;
    EXPECT_INVALID_INPUT(leadcore_score_arrow(pb, LIT(LEADS_JSON), &events, NOW_S, &scores,
                                              &row_errors, &err));
    CHECK(released == 2 && events.release == NULL);
    CHECK(untouched(&scores, row_errors));

    /* Bad leads: the stream is released all the same. */
    events = events_stream(GOOD, ROWS, &released);
    EXPECT_INVALID_INPUT(leadcore_score_arrow(pb, LIT("[{\"id\":\"A\"},{\"id\":\"A\"}]"), &events,
                                              NOW_S, &scores, &row_errors, &err));
    CHECK(released == 3 && events.release == NULL);
    CHECK(untouched(&scores, row_errors));
    leadcore_playbook_free(pb);
}

static void test_null_arguments_are_refused_and_the_stream_released(void) {
    leadcore_playbook *pb = arrow_playbook();
    struct ArrowArrayStream scores;
    leadcore_buf row_errors;
    preset(&scores, &row_errors);
    leadcore_error *err = NULL;
    EXPECT_NULL_ARG(leadcore_score_arrow(pb, LIT(LEADS_JSON), NULL, NOW_S, &scores, &row_errors,
                                         &err));
    int released = 0;
    for (int which = 0; which < 4; which++) {
        struct ArrowArrayStream events = events_stream(GOOD, ROWS, &released);
        const leadcore_playbook *p = which == 0 ? NULL : pb;
        const uint8_t *leads = which == 1 ? NULL : (const uint8_t *)LEADS_JSON;
        struct ArrowArrayStream *out = which == 2 ? NULL : &scores;
        leadcore_buf *errors_out = which == 3 ? NULL : &row_errors;
        EXPECT_NULL_ARG(leadcore_score_arrow(p, leads, strlen(LEADS_JSON), &events, NOW_S, out,
                                             errors_out, &err));
        CHECK(released == which + 1);
        CHECK(events.release == NULL);
    }
    CHECK(untouched(&scores, row_errors));

    /* A time out of range, and err NULL: a status, and the stream still released. */
    struct ArrowArrayStream events = events_stream(GOOD, ROWS, &released);
    EXPECT_FAILURE(leadcore_score_arrow(pb, LIT(LEADS_JSON), &events, INT64_MAX, &scores,
                                        &row_errors, &err),
                   LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument");
    CHECK(released == 5);
    events = events_stream(GOOD, ROWS, &released);
    CHECK(leadcore_score_arrow(NULL, LIT(LEADS_JSON), &events, NOW_S, &scores, &row_errors,
                               NULL) == LEADCORE_NULL_ARGUMENT);
    CHECK(released == 6);
    CHECK(untouched(&scores, row_errors));
    leadcore_playbook_free(pb);
}

/* ---- leadcore_score_arrow_leads: the leads as a stream too ------------------------------ */

/* What a leads producer gives or does wrong: the leads of LEADS_JSON (A with 120 employees,
 * B with 8) as a table of lead_id (utf8) and employees (int64). */
typedef enum {
    LEADS_GOOD,
    LEADS_DUPLICATE,  /* lead_id A twice */
    LEADS_NEXT_FAILS, /* get_next returns EIO, with a message */
    LEADS_MISSPELT,   /* `employes` instead of `employees` */
} leads_behaviour;

enum { LEADS = 2 };
static const char *const LEAD_IDS[LEADS] = {"A", "B"};
static const char *const DUPLICATE_IDS[LEADS] = {"A", "A"};
static const int64_t EMPLOYEES[LEADS] = {120, 8};

typedef struct {
    leads_behaviour how;
    int done;      /* the one batch was given */
    int *released; /* counts release calls, outlives the stream */
} leads_producer;

static int leads_get_schema(struct ArrowArrayStream *stream, struct ArrowSchema *out) {
    leads_producer *p = stream->private_data;
    memset(out, 0, sizeof *out);
    struct ArrowSchema **children = calloc(2, sizeof *children);
    if (!children) abort();
    children[0] = field("lead_id", "u", 0);
    children[1] = field(p->how == LEADS_MISSPELT ? "employes" : "employees", "l", 0);
    out->format = "+s";
    out->name = "";
    out->n_children = 2;
    out->children = children;
    out->release = release_root;
    return 0;
}

static int leads_get_next(struct ArrowArrayStream *stream, struct ArrowArray *out) {
    leads_producer *p = stream->private_data;
    if (p->how == LEADS_NEXT_FAILS) return EIO;
    memset(out, 0, sizeof *out);
    if (p->done) return 0; /* released: the end of the stream */
    p->done = 1;
    struct ArrowArray **children = calloc(2, sizeof *children);
    const void **buffers = calloc(1, sizeof *buffers);
    if (!children || !buffers) abort();
    children[0] = utf8_array(p->how == LEADS_DUPLICATE ? DUPLICATE_IDS : LEAD_IDS, 0, LEADS);
    children[1] = int64_array(EMPLOYEES, 0, LEADS);
    out->length = LEADS;
    out->n_buffers = 1;
    out->buffers = buffers;
    out->n_children = 2;
    out->children = children;
    out->release = release_batch;
    return 0;
}

static const char *leads_get_last_error(struct ArrowArrayStream *stream) {
    leads_producer *p = stream->private_data;
    return p->how == LEADS_NEXT_FAILS ? "the CRM export broke off" : NULL;
}

static void leads_release(struct ArrowArrayStream *stream) {
    leads_producer *p = stream->private_data;
    (*p->released)++;
    free(p);
    stream->release = NULL;
}

/* A stream of the leads; `*released` counts its releases. */
static struct ArrowArrayStream leads_stream(leads_behaviour how, int *released) {
    leads_producer *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->how = how;
    p->released = released;
    struct ArrowArrayStream s = {leads_get_schema, leads_get_next, leads_get_last_error,
                                 leads_release, p};
    return s;
}

static void test_leads_as_a_stream_give_the_scores_of_leads_as_json(void) {
    leadcore_playbook *pb = arrow_playbook();
    leadcore_error *err = NULL;
    leadcore_buf table = {0};
    CHECK_STATUS(leadcore_score_table(pb, LIT(TABLE_JSON), &table, &err), LEADCORE_OK, err);
    double want[4] = {0};
    CHECK(number_array(table.data, "scores", want, 4) == 4);
    CHECK(want[1] == 20 && want[3] == 0); /* fit: A is big, B is not */
    char want_errors[512];
    table_row_errors(table.data, want_errors, sizeof want_errors);

    /* The events in one batch, then in batches of 3. */
    static const int split[] = {ROWS, 3};
    for (size_t i = 0; i < sizeof split / sizeof split[0]; i++) {
        int leads_released = 0, events_released = 0;
        struct ArrowArrayStream leads = leads_stream(LEADS_GOOD, &leads_released);
        struct ArrowArrayStream events = events_stream(GOOD, split[i], &events_released);
        struct ArrowArrayStream scores;
        memset(&scores, 0, sizeof scores);
        leadcore_buf row_errors = {0};
        CHECK_STATUS(leadcore_score_arrow_leads(pb, &leads, &events, NOW_S, &scores, &row_errors,
                                                &err),
                     LEADCORE_OK, err);
        CHECK(leads_released == 1 && leads.release == NULL);
        CHECK(events_released == 1 && events.release == NULL);
        CHECK_STR_EQ(row_errors.data, want_errors);
        check_scores_stream(&scores, want);
        leadcore_buf_free(&row_errors);
    }
    leadcore_buf_free(&table);
    leadcore_playbook_free(pb);
}

static void test_bad_leads_streams_fail_and_both_streams_are_released(void) {
    leadcore_playbook *pb = arrow_playbook();
    struct {
        leads_behaviour leads;
        behaviour events;
        const char *message;
    } cases[] = {
        {LEADS_DUPLICATE, GOOD, "lead ids are not unique"},
        {LEADS_NEXT_FAILS, GOOD, "the CRM export broke off"},
        {LEADS_MISSPELT, GOOD, "did you mean `employees`?"},
        {LEADS_GOOD, NEXT_FAILS, "the disk is on fire"},
        {LEADS_GOOD, MISSING_AT, "no `at` column"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int leads_released = 0, events_released = 0;
        struct ArrowArrayStream leads = leads_stream(cases[i].leads, &leads_released);
        struct ArrowArrayStream events = events_stream(cases[i].events, ROWS, &events_released);
        struct ArrowArrayStream scores;
        leadcore_buf row_errors;
        preset(&scores, &row_errors);
        leadcore_error *err = NULL;
        CHECK_STATUS(leadcore_score_arrow_leads(pb, &leads, &events, NOW_S, &scores, &row_errors,
                                                &err),
                     LEADCORE_INVALID_INPUT, err);
        if (err) CHECK_CONTAINS(leadcore_error_message(err), cases[i].message);
        expect_error(err, LEADCORE_INVALID_INPUT, "input.invalid");
        CHECK(leads_released == 1 && leads.release == NULL);
        CHECK(events_released == 1 && events.release == NULL);
        CHECK(untouched(&scores, row_errors));
    }
    leadcore_playbook_free(pb);
}

static void test_a_null_argument_still_releases_both_streams(void) {
    leadcore_playbook *pb = arrow_playbook();
    struct ArrowArrayStream scores;
    leadcore_buf row_errors;
    preset(&scores, &row_errors);
    leadcore_error *err = NULL;
    int leads_released = 0, events_released = 0;
    for (int which = 0; which < 5; which++) {
        struct ArrowArrayStream leads = leads_stream(LEADS_GOOD, &leads_released);
        struct ArrowArrayStream events = events_stream(GOOD, ROWS, &events_released);
        const leadcore_playbook *p = which == 0 ? NULL : pb;
        struct ArrowArrayStream *leads_in = which == 1 ? NULL : &leads;
        struct ArrowArrayStream *events_in = which == 2 ? NULL : &events;
        struct ArrowArrayStream *out = which == 3 ? NULL : &scores;
        leadcore_buf *errors_out = which == 4 ? NULL : &row_errors;
        EXPECT_NULL_ARG(leadcore_score_arrow_leads(p, leads_in, events_in, NOW_S, out,
                                                   errors_out, &err));
        /* A stream given is released by the call; one not given stays the caller's. */
        if (which == 1) {
            CHECK(leads.release != NULL && leads_released == which);
            leads.release(&leads);
        }
        if (which == 2) {
            CHECK(events.release != NULL && events_released == which);
            events.release(&events);
        }
        CHECK(leads_released == which + 1 && leads.release == NULL);
        CHECK(events_released == which + 1 && events.release == NULL);
    }
    CHECK(untouched(&scores, row_errors));

    /* A time out of range, and err NULL: a status, and both streams still released. */
    struct ArrowArrayStream leads = leads_stream(LEADS_GOOD, &leads_released);
    struct ArrowArrayStream events = events_stream(GOOD, ROWS, &events_released);
    CHECK(leadcore_score_arrow_leads(pb, &leads, &events, INT64_MAX, &scores, &row_errors,
                                     NULL) == LEADCORE_INVALID_ARGUMENT);
    CHECK(leads_released == 6 && events_released == 6);
    CHECK(untouched(&scores, row_errors));
    leadcore_playbook_free(pb);
}

void arrow_tests(void) {
    run_test("arrow: a stream gives the scores of the JSON table",
             test_a_stream_gives_the_scores_of_the_json_table);
    run_test("arrow: bad streams are typed errors and released once",
             test_bad_streams_are_typed_errors_and_released);
    run_test("arrow: NULL arguments are refused, the stream released",
             test_null_arguments_are_refused_and_the_stream_released);
    run_test("arrow: leads as a stream give the scores of leads as JSON",
             test_leads_as_a_stream_give_the_scores_of_leads_as_json);
    run_test("arrow: bad leads or events streams fail, both released once",
             test_bad_leads_streams_fail_and_both_streams_are_released);
    run_test("arrow: a NULL argument still releases both streams",
             test_a_null_argument_still_releases_both_streams);
}
