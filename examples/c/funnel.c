/* The main job through the C door: the Olist marketing funnel through the default
 * playbook's lead lifecycle, with the same derived steps as examples/funnel.rs, printed as a
 * funnel table. Build and run with examples/c/run.sh [DATA_DIR].
 *
 * What the data does not record is derived as in examples/funnel.rs: marketing grants MQL on
 * the first-contact date (form fill, score 100); a closed deal's SDR accepts it an hour later,
 * calls, books and holds a demo at 10%, 30% and 50% of the time to the won date, and its
 * closer marks it Won; an MQL without a deal is nurtured 90 days after first contact. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadcore.h"

#define MAX_FIELDS 16

typedef struct {
    char *fields[MAX_FIELDS];
    int n;
} row;

/* Splits one CSV line in place, honouring double quotes. */
static void split_csv(char *line, row *r) {
    r->n = 0;
    char *out = line;
    char *start = line;
    int quoted = 0;
    for (char *p = line;; p++) {
        if (*p == '"') {
            if (quoted && p[1] == '"') {
                *out++ = '"';
                p++;
            } else {
                quoted = !quoted;
            }
            continue;
        }
        if ((*p == ',' && !quoted) || *p == '\0' || *p == '\r' || *p == '\n') {
            int end = (*p == '\0' || *p == '\r' || *p == '\n');
            *out = '\0';
            if (r->n < MAX_FIELDS) r->fields[r->n++] = start;
            if (end) return;
            start = out = p + 1;
            continue;
        }
        *out++ = *p;
    }
}

typedef struct {
    char *mql_id, *sdr, *closer, *segment, *has_company;
    long long won; /* Unix seconds */
    long long revenue;
} deal;

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* "YYYY-MM-DD[ HH:MM]" to Unix seconds; -1 when it does not parse. */
static long long parse_time(const char *s) {
    int y, mo, d, h = 0, mi = 0;
    int n = sscanf(s, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi);
    if (n != 3 && n != 5) return -1;
    return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60;
}

/* Unix seconds (0 .. year 9999) to RFC 3339. */
static void rfc3339(long long t, char out[32]) {
    long long days = t / 86400;
    unsigned secs = (unsigned)(t % 86400);
    /* civil_from_days */
    long long z = days + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    unsigned year = (unsigned)(y + (m <= 2)) % 10000;
    snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", year, m % 13, d % 32, secs / 3600 % 24,
             secs % 3600 / 60, secs % 60);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[n] = '\0';
    fclose(f);
    return buf;
}

static int by_id(const void *a, const void *b) {
    return strcmp(((const deal *)a)->mql_id, ((const deal *)b)->mql_id);
}

/* Refusal counts by reason (an error code, or the failed guards' names). */
#define MAX_REASONS 32
static char reasons[MAX_REASONS][128];
static long counts[MAX_REASONS];
static int n_reasons;
static long moved;

static void count_refusal(const leadcore_error *err) {
    char key[128] = "";
    leadcore_buf json = LEADCORE_BUF_INIT;
    if (leadcore_error_status(err) == LEADCORE_GUARD_FAILED &&
        leadcore_error_to_json(err, &json, NULL) == LEADCORE_OK) {
        for (const char *p = (const char *)json.data; (p = strstr(p, "\"guard\":\"")) != NULL;) {
            p += 9;
            const char *q = strchr(p, '"');
            if (!q) break;
            if (key[0]) strncat(key, "+", sizeof key - strlen(key) - 1);
            strncat(key, p, (size_t)(q - p) < sizeof key - strlen(key) - 1
                                ? (size_t)(q - p)
                                : sizeof key - strlen(key) - 1);
            p = q;
        }
        leadcore_buf_free(&json);
    } else {
        snprintf(key, sizeof key, "%s", leadcore_error_code(err));
    }
    for (int i = 0; i < n_reasons; i++) {
        if (strcmp(reasons[i], key) == 0) {
            counts[i]++;
            return;
        }
    }
    if (n_reasons < MAX_REASONS) {
        snprintf(reasons[n_reasons], sizeof reasons[0], "%s", key);
        counts[n_reasons++] = 1;
    }
}

static void step(const leadcore_playbook *pb, leadcore_state *st, const char *to, const char *actor,
                 const char *role, long long at, const char *extra) {
    char now[32], input[2048];
    rfc3339(at, now);
    snprintf(input, sizeof input,
             "{\"request\":{\"to\":\"%s\",\"actor\":{\"id\":\"%s\",\"role\":\"%s\"},\"now\":\"%s\"%s}%s",
             to, actor, role, now, strcmp(to, "Nurture") == 0 ? ",\"reason\":\"no deal within 90 days\"" : "",
             extra);
    leadcore_buf out = LEADCORE_BUF_INIT;
    leadcore_error *err = NULL;
    if (leadcore_state_transition(pb, st, (const uint8_t *)input, strlen(input), &out, &err) ==
        LEADCORE_OK) {
        moved++;
        leadcore_buf_free(&out);
    } else {
        count_refusal(err);
        leadcore_error_free(err);
    }
}

/* The value of `"key":` inside [obj, end) as text (up to the next ',' or '}'). */
static const char *field(const char *obj, const char *end, const char *key, char out[96]) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(obj, pat);
    if (!p || p >= end) return "";
    p += strlen(pat);
    size_t n = 0;
    if (*p == '"') p++;
    while (p < end && *p != ',' && *p != '}' && *p != '"' && n < 95) out[n++] = *p++;
    out[n] = '\0';
    return out;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "../shared/data/olist-marketing-funnel";
    char path[1024];
    snprintf(path, sizeof path, "%s/olist_marketing_qualified_leads_dataset.csv", dir);
    char *mqls = slurp(path);
    snprintf(path, sizeof path, "%s/olist_closed_deals_dataset.csv", dir);
    char *deals_text = slurp(path);
    if (!mqls || !deals_text) {
        fprintf(stderr, "cannot read the Olist CSVs in %s\n", dir);
        return 1;
    }

    deal *deals = calloc(1000, sizeof *deals);
    size_t n_deals = 0;
    char *save = NULL;
    strtok_r(deals_text, "\n", &save); /* header */
    for (char *line; (line = strtok_r(NULL, "\n", &save)) != NULL && n_deals < 1000;) {
        row r;
        split_csv(line, &r);
        if (r.n < 14) continue;
        deal *d = &deals[n_deals++];
        d->mql_id = r.fields[0];
        d->sdr = r.fields[2];
        d->closer = r.fields[3];
        d->won = parse_time(r.fields[4]);
        d->segment = r.fields[5];
        d->has_company = r.fields[8];
        d->revenue = (long long)strtod(r.fields[13], NULL);
    }
    qsort(deals, n_deals, sizeof *deals, by_id);

    leadcore_playbook *pb = NULL;
    leadcore_error *err = NULL;
    if (leadcore_playbook_default(&pb, &err) != LEADCORE_OK) {
        fprintf(stderr, "%s\n", leadcore_error_message(err));
        return 1;
    }

    size_t cap = 9000, n = 0;
    leadcore_state **states = calloc(cap, sizeof *states);
    long long end = 0;
    save = NULL;
    strtok_r(mqls, "\n", &save);
    char *lines[9000];
    size_t n_lines = 0;
    for (char *line; (line = strtok_r(NULL, "\n", &save)) != NULL && n_lines < 9000;)
        lines[n_lines++] = line;
    /* `end`: a day after the latest date in the data. */
    for (size_t i = 0; i < n_deals; i++)
        if (deals[i].won > end) end = deals[i].won;
    row r;
    for (size_t i = 0; i < n_lines; i++) {
        char copy[512];
        snprintf(copy, sizeof copy, "%s", lines[i]);
        split_csv(copy, &r);
        long long t = r.n >= 2 ? parse_time(r.fields[1]) : -1;
        if (t > end) end = t;
    }
    end += 86400;

    for (size_t i = 0; i < n_lines && n < cap; i++) {
        split_csv(lines[i], &r);
        if (r.n < 4) continue;
        const char *id = r.fields[0], *origin = r.fields[3];
        long long contact = parse_time(r.fields[1]);
        if (contact < 0) continue;
        leadcore_state *st = NULL;
        if (leadcore_state_new(pb, (const uint8_t *)"lead", 4, (const uint8_t *)id, strlen(id),
                               contact * 1000, &st, &err) != LEADCORE_OK) {
            fprintf(stderr, "%s\n", leadcore_error_message(err));
            return 1;
        }
        char lead[512];
        if (origin[0])
            snprintf(lead, sizeof lead, "{\"id\":\"%s\",\"source\":{\"channel\":\"%s\"}", id, origin);
        else
            snprintf(lead, sizeof lead, "{\"id\":\"%s\"", id);
        char facts[1536];
        snprintf(facts, sizeof facts, ",\"subject\":{\"lead\":%s}},\"scores\":{\"lead\":100}}", lead);
        step(pb, st, "MQL", "marketing", "marketing", contact, facts);

        deal key = {.mql_id = (char *)id};
        deal *d = bsearch(&key, deals, n_deals, sizeof *deals, by_id);
        if (d && d->won > contact) {
            long long span = d->won - contact;
#define AT(f) (contact + (long long)((double)span * (f)))
            char c1[32], c2[32], c3[32], timeline[32];
            rfc3339(AT(0.1), c1);
            rfc3339(AT(0.3), c2);
            rfc3339(AT(0.5), c3);
            rfc3339(d->won, timeline);
            char need[160] = "";
            if (d->segment[0]) snprintf(need, sizeof need, ",\"need\":\"%s\"", d->segment);
            snprintf(facts, sizeof facts,
                     ",\"subject\":{\"lead\":%s,\"custom\":{\"budget\":%lld,\"authority\":%s%s,"
                     "\"timeline\":\"%.10s\"}}},\"activities\":[{\"kind\":\"call\",\"at\":\"%s\"},"
                     "{\"kind\":\"meeting_scheduled\",\"at\":\"%s\"},{\"kind\":\"meeting_held\","
                     "\"at\":\"%s\"}]}",
                     lead, d->revenue * 100, strcmp(d->has_company, "False") ? "true" : "false", need,
                     timeline, c1, c2, c3);
            long long srl = contact + 3600 < AT(0.05) ? contact + 3600 : AT(0.05);
            step(pb, st, "SRL", d->sdr, "sdr", srl, facts);
            step(pb, st, "SQL Contacted", d->sdr, "sdr", AT(0.1), facts);
            step(pb, st, "SQL Scheduled", d->sdr, "sdr", AT(0.3), facts);
            step(pb, st, "Opportunity", d->sdr, "sdr", AT(0.5), facts);
            step(pb, st, "Won", d->closer, "ae", d->won, facts);
#undef AT
        } else if (contact + 90 * 86400 <= end) {
            snprintf(facts, sizeof facts, ",\"subject\":{\"lead\":%s}}}", lead);
            step(pb, st, "Nurture", "marketing", "marketing", contact + 90 * 86400, facts);
        }
        states[n++] = st;
    }

    leadcore_buf funnel = LEADCORE_BUF_INIT;
    if (leadcore_funnel(pb, (const uint8_t *)"lead", 4, (const leadcore_state *const *)states, n,
                        end * 1000, &funnel, &err) != LEADCORE_OK) {
        fprintf(stderr, "%s\n", leadcore_error_message(err));
        return 1;
    }
    char day[32];
    rfc3339(end, day);
    printf("Olist marketing funnel through the default playbook (C door): %zu leads, %zu closed "
           "deals, as of %.10s\n\n",
           n, n_deals, day);
    printf("%-15s %8s %8s %8s %11s %16s\n", "stage", "reached", "entered", "now", "conv.->next",
           "mean dwell (d)");
    const char *p = strstr((const char *)funnel.data, "\"stages\":[");
    while (p && (p = strchr(p, '{')) != NULL) {
        const char *obj_end = strchr(p, '}');
        if (!obj_end) break;
        char stage[96], reached[96], entered[96], current[96], conv[96], dwell[96];
        field(p, obj_end, "stage", stage);
        field(p, obj_end, "reached", reached);
        field(p, obj_end, "entered", entered);
        field(p, obj_end, "current", current);
        field(p, obj_end, "conversion_to_next", conv);
        field(p, obj_end, "mean_dwell_seconds", dwell);
        char conv_text[32] = "-", dwell_text[32] = "-";
        if (strcmp(conv, "null") != 0) snprintf(conv_text, sizeof conv_text, "%.1f%%", strtod(conv, NULL) * 100);
        if (strcmp(dwell, "null") != 0) snprintf(dwell_text, sizeof dwell_text, "%.1f", strtod(dwell, NULL) / 86400);
        printf("%-15s %8s %8s %8s %11s %16s\n", stage, reached, entered, current, conv_text, dwell_text);
        p = obj_end + 1;
    }
    long refused = 0;
    for (int i = 0; i < n_reasons; i++) refused += counts[i];
    printf("\n%ld transitions applied, %ld refused\n", moved, refused);
    for (int i = 0; i < n_reasons; i++) printf("  refused %5ld x %s\n", counts[i], reasons[i]);

    leadcore_buf_free(&funnel);
    for (size_t i = 0; i < n; i++) leadcore_state_free(states[i]);
    free(states);
    leadcore_playbook_free(pb);
    free(deals);
    free(mqls);
    free(deals_text);
    return 0;
}
