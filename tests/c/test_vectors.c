/* The shared test vectors (tests/vectors/README.md) through the C door: every case folder
 * with an input.jsonl is run and its result lines compared byte for byte with
 * expected.jsonl. Lifecycle events act on one leadcore_state (from start or replay); scoring
 * events on one leadcore_score_state, created on first use for the lead of the event; routing
 * events on one leadcore_routing_state, created from the playbook on first use. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "check.h"

/* A growable byte string. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} text;

static void text_append(text *t, const char *bytes, size_t n) {
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1) cap *= 2;
        char *p = realloc(t->data, cap);
        if (p == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(EXIT_FAILURE);
        }
        t->data = p;
        t->cap = cap;
    }
    memcpy(t->data + t->len, bytes, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void text_puts(text *t, const char *s) { text_append(t, s, strlen(s)); }

static void text_free(text *t) {
    free(t->data);
    t->data = NULL;
    t->len = t->cap = 0;
}

/* Reads a whole file; returns 0 if it cannot be read. */
static int read_file(const char *path, text *out) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return 0;
    char chunk[4096];
    size_t n;
    text_append(out, "", 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) text_append(out, chunk, n);
    int ok = !ferror(f);
    fclose(f);
    return ok;
}

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Appends {"ok":<json>} built from a library buffer, and frees the buffer. */
static void emit_ok(text *out, leadcore_buf *b) {
    text_puts(out, "{\"ok\":");
    text_append(out, (const char *)b->data, b->len);
    text_puts(out, "}\n");
    leadcore_buf_free(b);
}

/* Appends {"error":<report>} for an error, and frees the error. */
static void emit_error(text *out, leadcore_error *err) {
    leadcore_buf r = {0};
    if (leadcore_error_to_json(err, &r, NULL) == LEADCORE_OK) {
        text_puts(out, "{\"error\":");
        text_append(out, (const char *)r.data, r.len);
        text_puts(out, "}\n");
    } else {
        text_puts(out, "{\"error\":\"(no error object)\"}\n");
    }
    leadcore_buf_free(&r);
    leadcore_error_free(err);
}

/* Minimal JSON scanning, enough to find a member of an object in canonical JSON. */

/* Skips a JSON string starting at the opening quote; returns the byte after the closing
 * quote, or NULL if it does not end before `end`. */
static const char *skip_string(const char *p, const char *end) {
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* Skips one JSON value starting at `p`; returns the byte after it, or NULL. */
static const char *skip_value(const char *p, const char *end) {
    if (p >= end) return NULL;
    if (*p == '"') return skip_string(p, end);
    if (*p != '{' && *p != '[') {
        while (p < end && *p != ',' && *p != '}' && *p != ']') p++;
        return p;
    }
    int depth = 0;
    while (p < end) {
        if (*p == '"') {
            p = skip_string(p, end);
            if (p == NULL) return NULL;
            continue;
        }
        if (*p == '{' || *p == '[') depth++;
        if (*p == '}' || *p == ']') depth--;
        p++;
        if (depth == 0) return p;
    }
    return NULL;
}

/* In the object starting at `obj` (at its '{'), finds the member `key` (a plain key without
 * escapes) and returns the start of its value, or NULL. */
static const char *find_member(const char *obj, const char *end, const char *key) {
    if (obj >= end || *obj != '{') return NULL;
    size_t key_len = strlen(key);
    const char *p = obj + 1;
    while (p < end && *p == '"') {
        const char *key_end = skip_string(p, end);
        if (key_end == NULL || key_end >= end || *key_end != ':') return NULL;
        const char *value = key_end + 1;
        if ((size_t)(key_end - p) == key_len + 2 && memcmp(p + 1, key, key_len) == 0)
            return value;
        p = skip_value(value, end);
        if (p == NULL || p >= end || *p != ',') return NULL;
        p++;
    }
    return NULL;
}

/* The lead id of a scoring event's payload: the plain string payload.lead.id. Returns 0 if
 * there is none. */
static int lead_id_of(const uint8_t *payload, size_t len, const uint8_t **id, size_t *id_len) {
    const char *end = (const char *)payload + len;
    const char *lead = find_member((const char *)payload, end, "lead");
    const char *value = lead ? find_member(lead, end, "id") : NULL;
    if (value == NULL || *value != '"') return 0;
    const char *close = skip_string(value, end);
    if (close == NULL || memchr(value + 1, '\\', (size_t)(close - 1 - (value + 1)))) return 0;
    *id = (const uint8_t *)value + 1;
    *id_len = (size_t)(close - 1 - (value + 1));
    return 1;
}

/* The runner's score state, created on first use for the lead of the event. Returns 0 if
 * the payload names no lead; on a failed creation, appends the error and sets *ready = 0. */
static int score_state_for(const leadcore_playbook *pb, leadcore_score_state **scores,
                           const uint8_t *payload, size_t len, text *out, int *ready) {
    *ready = 1;
    if (*scores != NULL) return 1;
    const uint8_t *id = NULL;
    size_t id_len = 0;
    if (!lead_id_of(payload, len, &id, &id_len)) return 0;
    leadcore_error *err = NULL;
    if (leadcore_score_state_new(pb, id, id_len, scores, &err) != LEADCORE_OK) {
        emit_error(out, err);
        *ready = 0;
    }
    return 1;
}

static const char NO_RECORD[] =
    "{\"error\":{\"code\":\"input.invalid\",\"message\":\"no record started\"}}\n";

/* Names `prefix` bytes of `line` the event `{"<name>":`? */
static int is_event(const char *line, size_t prefix, const char *name) {
    size_t n = strlen(name);
    return prefix == n + 4 && line[0] == '{' && line[1] == '"' && memcmp(line + 2, name, n) == 0 &&
           line[n + 2] == '"' && line[n + 3] == ':';
}

/* Appends the result of a call that fills a buffer: {"ok":..} or {"error":..}. */
static void emit(text *out, leadcore_status s, leadcore_buf *b, leadcore_error *err) {
    if (s == LEADCORE_OK)
        emit_ok(out, b);
    else
        emit_error(out, err);
}

/* Runs a `logistic` event: fits on the payload's `config`, `train` (a column object) and
 * `won` (an array of booleans, read into C bytes), then explains `score`. Returns 0 for a
 * payload without those members (a broken vector). */
static int run_logistic_event(const uint8_t *payload, size_t len, text *out) {
    const char *p = (const char *)payload, *end = p + len;
    const char *config = find_member(p, end, "config");
    const char *train = find_member(p, end, "train");
    const char *won = find_member(p, end, "won");
    const char *score = find_member(p, end, "score");
    const char *config_end = skip_value(config, end);
    const char *train_end = skip_value(train, end);
    const char *won_end = skip_value(won, end);
    const char *score_end = skip_value(score, end);
    if (!config_end || !train_end || !won_end || !score_end || *won != '[') return 0;
    size_t rows = 0;
    for (const char *q = won; q < won_end; q++) rows += *q == 't' || *q == 'f';
    uint8_t *outcomes = rows ? malloc(rows) : NULL;
    if (rows && outcomes == NULL) return 0;
    size_t i = 0;
    for (const char *q = won; q < won_end; q++) {
        if (*q == 't') outcomes[i++] = 1;
        if (*q == 'f') outcomes[i++] = 0;
        if (*q == 't' || *q == 'f') q += 3; /* past "true" / into "false" */
    }
    leadcore_logistic *model = NULL;
    leadcore_error *err = NULL;
    if (leadcore_logistic_fit((const uint8_t *)config, (size_t)(config_end - config),
                              (const uint8_t *)train, (size_t)(train_end - train), outcomes,
                              rows, &model, &err) != LEADCORE_OK) {
        emit_error(out, err);
    } else {
        leadcore_buf b = {0};
        leadcore_status s = leadcore_logistic_explain(model, (const uint8_t *)score,
                                                      (size_t)(score_end - score), &b, &err);
        emit(out, s, &b, err);
        leadcore_logistic_free(model);
    }
    free(outcomes);
    return 1;
}

/* Runs one scoring event line against the score state `*scores`. Returns 0 for an event
 * that is not a scoring event or names no lead (a broken vector). */
static int run_scoring_event(const leadcore_playbook *pb, leadcore_score_state **scores,
                             const char *line, size_t prefix, const uint8_t *payload,
                             size_t payload_len, text *out) {
    leadcore_error *err = NULL;
    leadcore_buf b = {0};
    leadcore_status s;
    if (is_event(line, prefix, "score")) {
        s = leadcore_score(pb, payload, payload_len, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    if (is_event(line, prefix, "score_table")) {
        s = leadcore_score_table(pb, payload, payload_len, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    int apply = is_event(line, prefix, "score_apply");
    int card = is_event(line, prefix, "score_card");
    int predict = is_event(line, prefix, "predict");
    if (!apply && !card && !predict) return 0;
    int ready = 0;
    if (!score_state_for(pb, scores, payload, payload_len, out, &ready)) return 0;
    if (!ready) return 1;
    if (apply)
        s = leadcore_score_state_apply(pb, *scores, payload, payload_len, &b, &err);
    else if (card)
        s = leadcore_score_state_card(pb, *scores, payload, payload_len, &b, &err);
    else
        s = leadcore_score_state_predict(pb, *scores, payload, payload_len, &b, &err);
    emit(out, s, &b, err);
    return 1;
}

/* Runs one routing event line (route, route_batch, routing_state) against the routing state
 * `*routing`, created on first use. Returns 0 for an event that is not a routing event. */
static int run_routing_event(const leadcore_playbook *pb, leadcore_routing_state **routing,
                             const char *line, size_t prefix, const uint8_t *payload,
                             size_t payload_len, text *out) {
    int route = is_event(line, prefix, "route");
    int batch = is_event(line, prefix, "route_batch");
    int show = is_event(line, prefix, "routing_state");
    if (!route && !batch && !show) return 0;
    leadcore_error *err = NULL;
    leadcore_buf b = {0};
    leadcore_status s = LEADCORE_OK;
    if (*routing == NULL) s = leadcore_routing_state_new(pb, routing, &err);
    if (s == LEADCORE_OK) {
        if (route)
            s = leadcore_route(pb, *routing, payload, payload_len, &b, &err);
        else if (batch)
            s = leadcore_route_batch(pb, *routing, payload, payload_len, &b, &err);
        else
            s = leadcore_routing_state_to_json(*routing, &b, &err);
    }
    emit(out, s, &b, err);
    return 1;
}

/* Runs one event line against the record `*state` or the score state `*scores`, appending
 * its result line. Returns 0 for a line the runner does not understand (a broken vector). */
static int run_event(const leadcore_playbook *pb, leadcore_state **state,
                     leadcore_score_state **scores, leadcore_routing_state **routing,
                     const char *line, size_t len, text *out) {
    const char *colon = memchr(line, ':', len);
    const char *close = len > 0 && line[len - 1] == '}' ? line + len - 1 : NULL;
    if (colon == NULL || close == NULL || close < colon + 1) return 0;
    const uint8_t *payload = (const uint8_t *)colon + 1;
    size_t payload_len = (size_t)(close - (colon + 1));
    size_t prefix = (size_t)(colon + 1 - line);
    leadcore_error *err = NULL;

    if (prefix == strlen("{\"start\":") && memcmp(line, "{\"start\":", prefix) == 0) {
        leadcore_state *started = NULL;
        if (leadcore_state_start(pb, payload, payload_len, &started, &err) != LEADCORE_OK) {
            emit_error(out, err); /* a failed start leaves the current record as it was */
            return 1;
        }
        leadcore_buf b = {0};
        if (leadcore_state_to_json(started, &b, &err) != LEADCORE_OK) {
            emit_error(out, err);
            leadcore_state_free(started);
            return 1;
        }
        emit_ok(out, &b);
        leadcore_state_free(*state);
        *state = started;
        return 1;
    }
    if (prefix == strlen("{\"replay\":") && memcmp(line, "{\"replay\":", prefix) == 0) {
        leadcore_state *replayed = NULL;
        if (leadcore_state_replay(pb, payload, payload_len, &replayed, &err) != LEADCORE_OK) {
            emit_error(out, err); /* a refused history leaves the current record as it was */
            return 1;
        }
        leadcore_buf b = {0};
        if (leadcore_state_to_json(replayed, &b, &err) != LEADCORE_OK) {
            emit_error(out, err);
            leadcore_state_free(replayed);
            return 1;
        }
        emit_ok(out, &b);
        leadcore_state_free(*state);
        *state = replayed;
        return 1;
    }
    if (prefix == strlen("{\"transition\":") &&
        memcmp(line, "{\"transition\":", prefix) == 0) {
        if (*state == NULL) {
            text_puts(out, NO_RECORD);
            return 1;
        }
        leadcore_buf b = {0};
        if (leadcore_state_transition(pb, *state, payload, payload_len, &b, &err) == LEADCORE_OK)
            emit_ok(out, &b);
        else
            emit_error(out, err);
        return 1;
    }
    if (prefix == strlen("{\"dwell\":") && memcmp(line, "{\"dwell\":", prefix) == 0) {
        if (*state == NULL) {
            text_puts(out, NO_RECORD);
            return 1;
        }
        /* The payload is {"now":"<RFC 3339>"}. */
        static const char key[] = "\"now\":\"";
        const char *start = strstr((const char *)payload, key);
        if (start == NULL || start >= (const char *)payload + payload_len) return 0;
        start += strlen(key);
        const char *end = memchr(start, '"', (size_t)((const char *)payload + payload_len - start));
        if (end == NULL) return 0;
        int64_t now_ms = 0;
        leadcore_buf b = {0};
        if (leadcore_time_parse_rfc3339((const uint8_t *)start, (size_t)(end - start), &now_ms,
                                        &err) != LEADCORE_OK ||
            leadcore_state_dwell(*state, now_ms, &b, &err) != LEADCORE_OK)
            emit_error(out, err);
        else
            emit_ok(out, &b);
        return 1;
    }
    if (prefix == strlen("{\"funnel\":") && memcmp(line, "{\"funnel\":", prefix) == 0) {
        if (*state == NULL) {
            text_puts(out, NO_RECORD);
            return 1;
        }
        /* The payload is {"now":"<RFC 3339>","pipeline":"<name>"}. */
        const char *end_of_payload = (const char *)payload + payload_len;
        const char *now = strstr((const char *)payload, "\"now\":\"");
        const char *pipe = strstr((const char *)payload, "\"pipeline\":\"");
        if (now == NULL || pipe == NULL || now >= end_of_payload || pipe >= end_of_payload) return 0;
        now += strlen("\"now\":\"");
        pipe += strlen("\"pipeline\":\"");
        const char *now_end = memchr(now, '"', (size_t)(end_of_payload - now));
        const char *pipe_end = memchr(pipe, '"', (size_t)(end_of_payload - pipe));
        if (now_end == NULL || pipe_end == NULL) return 0;
        int64_t now_ms = 0;
        leadcore_buf b = {0};
        const leadcore_state *states[] = {*state};
        if (leadcore_time_parse_rfc3339((const uint8_t *)now, (size_t)(now_end - now), &now_ms,
                                        &err) != LEADCORE_OK ||
            leadcore_funnel(pb, (const uint8_t *)pipe, (size_t)(pipe_end - pipe), states, 1,
                            now_ms, &b, &err) != LEADCORE_OK)
            emit_error(out, err);
        else
            emit_ok(out, &b);
        return 1;
    }
    if (prefix == strlen("{\"state\":") && memcmp(line, "{\"state\":", prefix) == 0) {
        if (*state == NULL) {
            text_puts(out, NO_RECORD);
            return 1;
        }
        leadcore_buf b = {0};
        if (leadcore_state_to_json(*state, &b, &err) == LEADCORE_OK)
            emit_ok(out, &b);
        else
            emit_error(out, err);
        return 1;
    }
    if (run_routing_event(pb, routing, line, prefix, payload, payload_len, out)) return 1;
    if (is_event(line, prefix, "odoo_score")) {
        leadcore_buf b = {0};
        leadcore_status s = leadcore_odoo_score(payload, payload_len, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    if (is_event(line, prefix, "logistic")) return run_logistic_event(payload, payload_len, out);
    if (is_event(line, prefix, "pipeline_metrics")) {
        leadcore_buf b = {0};
        leadcore_status s = leadcore_pipeline_metrics(pb, payload, payload_len, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    if (is_event(line, prefix, "bottlenecks")) {
        leadcore_buf b = {0};
        leadcore_status s = leadcore_bottlenecks(pb, payload, payload_len, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    if (is_event(line, prefix, "lead_metrics")) {
        leadcore_buf b = {0};
        leadcore_status s = leadcore_lead_metrics(payload, payload_len, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    if (is_event(line, prefix, "activity_metrics")) {
        leadcore_buf b = {0};
        leadcore_status s = leadcore_activity_metrics(payload, payload_len, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    if (is_event(line, prefix, "forecast")) {
        leadcore_buf b = {0};
        leadcore_status s = leadcore_forecast(payload, payload_len, 2, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    if (is_event(line, prefix, "forecast_history")) {
        leadcore_buf b = {0};
        leadcore_status s = leadcore_forecast_history(payload, payload_len, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    if (is_event(line, prefix, "forecast_backtest")) {
        leadcore_buf b = {0};
        leadcore_status s = leadcore_forecast_backtest(payload, payload_len, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    if (is_event(line, prefix, "forecast_rollup")) {
        leadcore_buf b = {0};
        leadcore_status s = leadcore_forecast_rollup(payload, payload_len, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    if (is_event(line, prefix, "sla_status")) {
        leadcore_buf b = {0};
        leadcore_status s = leadcore_sla_status(pb, payload, payload_len, &b, &err);
        emit(out, s, &b, err);
        return 1;
    }
    return run_scoring_event(pb, scores, line, prefix, payload, payload_len, out);
}

/* Runs one case folder; fills `out` with the result lines. Returns 0 with a message in
 * `problem` when the case itself is broken. */
static int run_case(const char *dir, text *out, text *problem) {
    static const struct {
        const char *name;
        leadcore_format format;
    } files[] = {
        {"playbook.yaml", LEADCORE_FORMAT_YAML},
        {"playbook.json", LEADCORE_FORMAT_JSON},
        {"playbook.toml", LEADCORE_FORMAT_TOML},
    };
    char path[4096];
    text pb_text = {0};
    leadcore_format format = LEADCORE_FORMAT_JSON;
    int found = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0] && !found; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        if (file_exists(path)) {
            found = read_file(path, &pb_text);
            format = files[i].format;
        }
    }
    if (!found) {
        text_puts(problem, "no readable playbook.yaml, playbook.json or playbook.toml");
        text_free(&pb_text);
        return 0;
    }
    leadcore_playbook *pb = NULL;
    leadcore_error *err = NULL;
    leadcore_status s =
        leadcore_playbook_parse(format, (const uint8_t *)pb_text.data, pb_text.len, &pb, &err);
    text_free(&pb_text);
    if (s != LEADCORE_OK) {
        emit_error(out, err);
        return 1;
    }
    text_puts(out, "{\"ok\":true}\n");

    text input = {0};
    snprintf(path, sizeof path, "%s/input.jsonl", dir);
    int ok = read_file(path, &input);
    if (!ok) text_puts(problem, "cannot read input.jsonl");
    leadcore_state *state = NULL;
    leadcore_score_state *scores = NULL;
    leadcore_routing_state *routing = NULL;
    size_t line_no = 0;
    for (char *line = input.data; ok && line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *next = nl ? nl + 1 : NULL;
        line_no++;
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
            len--;
        size_t lead = 0;
        while (lead < len && (line[lead] == ' ' || line[lead] == '\t')) lead++;
        if (lead < len) {
            line[len] = '\0';
            if (!run_event(pb, &state, &scores, &routing, line + lead, len - lead, out)) {
                char msg[256];
                snprintf(msg, sizeof msg,
                         "input.jsonl line %zu is not a start, replay, transition, dwell, state, "
                         "funnel, score, score_table, score_apply, score_card, predict, route, "
                         "route_batch or routing_state event "
                         "(the last three need a lead with a plain string id)",
                         line_no);
                text_puts(problem, msg);
                ok = 0;
            }
        }
        line = next;
    }
    leadcore_state_free(state);
    leadcore_score_state_free(scores);
    leadcore_routing_state_free(routing);
    leadcore_playbook_free(pb);
    text_free(&input);
    return ok;
}

/* Prints the lines where `got` and `want` differ (up to a few), diff style. */
static void print_mismatch(const char *got, const char *want) {
    int shown = 0;
    size_t line = 1;
    while ((*got || *want) && shown < 5) {
        size_t gl = strcspn(got, "\n"), wl = strcspn(want, "\n");
        if (gl != wl || memcmp(got, want, gl) != 0 || (got[gl] == '\0') != (want[wl] == '\0')) {
            printf("  line %zu:\n", line);
            printf("    - expected: %.*s\n", (int)wl, *want ? want : "(missing)");
            printf("    + got:      %.*s\n", (int)gl, *got ? got : "(missing)");
            shown++;
        }
        got += gl + (got[gl] == '\n');
        want += wl + (want[wl] == '\n');
        line++;
    }
    if (shown == 0) printf("  (the files differ in line endings or a final newline)\n");
}

static int by_name(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

void vector_tests(const char *root) {
    struct dirent **entries = NULL;
    int n = scandir(root, &entries, NULL, by_name);
    if (n < 0) {
        printf("FAIL vectors: cannot list %s: %s\n", root, strerror(errno));
        count_result("vectors", 0);
        return;
    }
    int cases = 0;
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        char dir[2048], path[4096], label[512];
        snprintf(dir, sizeof dir, "%s/%s", root, name);
        snprintf(path, sizeof path, "%s/input.jsonl", dir);
        if (name[0] == '.' || !file_exists(path)) continue;
        cases++;
        snprintf(label, sizeof label, "vector: %s", name);

        text got = {0}, want = {0}, problem = {0};
        text_append(&got, "", 0);
        text_append(&problem, "", 0);
        int ran = run_case(dir, &got, &problem);
        snprintf(path, sizeof path, "%s/expected.jsonl", dir);
        int have_want = read_file(path, &want);
        int ok = ran && have_want && got.len == want.len &&
                 memcmp(got.data, want.data, got.len) == 0;
        if (!ok) {
            printf("FAIL %s (%s)\n", label, dir);
            if (!ran) printf("  broken case: %s\n", problem.data);
            if (!have_want)
                printf("  cannot read %s\n", path);
            else
                print_mismatch(got.data, want.data);
        }
        count_result(label, ok);
        text_free(&got);
        text_free(&want);
        text_free(&problem);
    }
    for (int i = 0; i < n; i++) free(entries[i]);
    free(entries);
    if (cases == 0) printf("note: no vector cases (folders with input.jsonl) under %s\n", root);
}
