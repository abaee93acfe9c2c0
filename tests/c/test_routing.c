/* Unit tests of the leadcore C routing API: the seed example (a 20-employee lead goes to
 * rep B, who gets a notification and a call task), a fair batch, the routing state's JSON
 * round trip, the state unchanged by a failed call, NULL and bad arguments. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

static const char SEED_YAML[] =
    "schema_version: 1\n"
    "lifecycle: {name: lead, initial: New, stages: [{name: New}]}\n"
    "routing:\n"
    "  reps: [{id: A}, {id: B}, {id: C}]\n"
    "  rules:\n"
    "    - {name: small, when: {field: employees, op: lt, value: 10}, assign: {rep: A}}\n"
    "    - name: mid\n"
    "      when: {field: employees, op: between, value: [11, 50]}\n"
    "      assign: {rep: B}\n"
    "      actions: [{kind: notify}, {kind: create_task, params: {task: call}}]\n"
    "    - {name: large, when: {field: employees, op: ge, value: 50}, assign: {rep: C}}\n"
    "    - {name: rest, assign: {round_robin: {}}}\n";

#define SEED_INPUT \
    "{\"lead\":{\"firmographics\":{\"employees\":20},\"id\":\"L-20\"},\"now\":\"2026-03-02T09:00:00Z\"}"

static const char SEED_DECISION[] =
    "{\"actions\":[{\"kind\":\"notify\",\"rep\":\"B\",\"rule\":\"mid\",\"trigger\":\"route\"},"
    "{\"kind\":\"create_task\",\"params\":{\"task\":\"call\"},\"rep\":\"B\",\"rule\":\"mid\","
    "\"trigger\":\"route\"}],\"assignee\":{\"rep\":\"B\"},\"at\":\"2026-03-02T09:00:00Z\","
    "\"lead_id\":\"L-20\",\"rule\":\"mid\",\"trace\":[{\"failure\":{\"leaf\":\"\",\"message\":"
    "\"field `employees` is 20, expected lt 10\"},\"matched\":false,\"rule\":\"small\"},"
    "{\"matched\":true,\"rule\":\"mid\",\"strategies\":[{\"chosen\":{\"rep\":\"B\"},"
    "\"strategy\":\"rep\"}]}]}";

static leadcore_playbook *seed_playbook(void) {
    leadcore_playbook *pb = NULL;
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_playbook_parse(LEADCORE_FORMAT_YAML, STR(SEED_YAML), &pb, &err),
                 LEADCORE_OK, err);
    leadcore_error_free(err);
    return pb;
}

static leadcore_buf state_json(const leadcore_routing_state *st) {
    leadcore_buf b = {0};
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_routing_state_to_json(st, &b, &err));
    return b;
}

static void test_seed_example(void) {
    leadcore_playbook *pb = seed_playbook();
    leadcore_routing_state *st = NULL;
    leadcore_error *err = NULL;
    EXPECT_OK(leadcore_routing_state_new(pb, &st, &err));
    leadcore_buf out = {0};
    EXPECT_OK(leadcore_route(pb, st, LIT(SEED_INPUT), &out, &err));
    CHECK_STR_EQ(out.data, SEED_DECISION);
    leadcore_buf_free(&out);
    leadcore_buf s = state_json(st);
    CHECK_CONTAINS(s.data, "\"B\":{\"assigned_today\":1,\"assigned_value\":0,\"day\":\"2026-03-02\","
                           "\"open_leads\":1}");
    leadcore_buf_free(&s);
    leadcore_routing_state_free(st);
    leadcore_playbook_free(pb);
}

static void test_batch_is_fair_and_equals_one_by_one(void) {
    leadcore_playbook *pb = seed_playbook();
    leadcore_error *err = NULL;
    /* 30 leads without employees: round robin over A, B, C in the last rule. */
    char input[4096];
    size_t n = (size_t)snprintf(input, sizeof input, "{\"leads\":[");
    for (int i = 0; i < 30; i++)
        n += (size_t)snprintf(input + n, sizeof input - n, "%s{\"id\":\"R-%d\"}", i ? "," : "", i);
    n += (size_t)snprintf(input + n, sizeof input - n, "],\"now\":\"2026-03-02T09:00:00Z\"}");
    CHECK(n < sizeof input);

    leadcore_routing_state *batch = NULL, *single = NULL;
    EXPECT_OK(leadcore_routing_state_new(pb, &batch, &err));
    EXPECT_OK(leadcore_routing_state_new(pb, &single, &err));
    leadcore_buf out = {0};
    EXPECT_OK(leadcore_route_batch(pb, batch, (const uint8_t *)input, n, &out, &err));
    CHECK(out.data != NULL && out.data[0] == '[');
    leadcore_buf_free(&out);
    for (int i = 0; i < 30; i++) {
        char one[128];
        int len = snprintf(one, sizeof one,
                           "{\"lead\":{\"id\":\"R-%d\"},\"now\":\"2026-03-02T09:00:00Z\"}", i);
        EXPECT_OK(leadcore_route(pb, single, (const uint8_t *)one, (size_t)len, &out, &err));
        leadcore_buf_free(&out);
    }
    leadcore_buf a = state_json(batch), b = state_json(single);
    CHECK(same_buf(a, b));
    CHECK_CONTAINS(a.data, "\"A\":{\"assigned_today\":10,");
    CHECK_CONTAINS(a.data, "\"B\":{\"assigned_today\":10,");
    CHECK_CONTAINS(a.data, "\"C\":{\"assigned_today\":10,");
    leadcore_buf_free(&a);
    leadcore_buf_free(&b);
    leadcore_routing_state_free(batch);
    leadcore_routing_state_free(single);
    leadcore_playbook_free(pb);
}

static void test_state_round_trip_and_host_counters(void) {
    leadcore_playbook *pb = seed_playbook();
    leadcore_error *err = NULL;
    /* A state the host wrote (counters, an account owner) reads back byte for byte. */
    static const char stored[] =
        "{\"account_owners\":{\"ACME\":\"C\"},\"reps\":{\"A\":{\"assigned_today\":0,"
        "\"assigned_value\":0,\"open_leads\":499,\"win_rate\":0.25}},\"schema_version\":1}";
    leadcore_routing_state *st = NULL;
    EXPECT_OK(leadcore_routing_state_from_json(STR(stored), &st, &err));
    leadcore_buf b = state_json(st);
    CHECK_STR_EQ(b.data, stored);
    leadcore_buf_free(&b);

    leadcore_routing_state *bad = SENTINEL;
    EXPECT_FAILURE(leadcore_routing_state_from_json(LIT("{\"schema_version\":9}"), &bad, &err),
                   LEADCORE_UNSUPPORTED_VERSION, "state.unsupported_version");
    CHECK(bad == SENTINEL);
    EXPECT_INVALID_INPUT(leadcore_routing_state_from_json(
        LIT("{\"schema_version\":1,\"reps\":{\"A\":{\"win_rate\":1.5}}}"), &bad, &err));
    EXPECT_INVALID_INPUT(leadcore_routing_state_from_json(LIT("{\"schema_version\":1,\"x\":1}"),
                                                          &bad, &err));
    EXPECT_INVALID_INPUT(leadcore_routing_state_from_json(LIT("not json"), &bad, &err));
    CHECK(bad == SENTINEL);
    leadcore_routing_state_free(st);
    leadcore_playbook_free(pb);
}

static void test_failures_leave_everything_unchanged(void) {
    leadcore_playbook *pb = seed_playbook();
    leadcore_error *err = NULL;
    leadcore_routing_state *st = NULL;
    EXPECT_OK(leadcore_routing_state_new(pb, &st, &err));
    leadcore_buf out = {0};
    EXPECT_OK(leadcore_route(pb, st, LIT(SEED_INPUT), &out, &err));
    leadcore_buf_free(&out);
    leadcore_buf before = state_json(st);

    leadcore_buf o = sentinel_buf();
    EXPECT_INVALID_INPUT(leadcore_route(pb, st, LIT("{\"lead\":{\"id\":\"x\"}}"), &o, &err));
    EXPECT_INVALID_INPUT(leadcore_route(
        pb, st, LIT("{\"lead\":{\"id\":\"x\"},\"now\":\"2026-03-02T09:00:00Z\",\"extra\":1}"), &o,
        &err));
    EXPECT_INVALID_INPUT(leadcore_route_batch(
        pb, st, LIT("{\"leads\":[{\"id\":\"a\"},{\"id\":7}],\"now\":\"2026-03-02T09:00:00Z\"}"),
        &o, &err));
    EXPECT_BAD_UTF8(leadcore_route(pb, st, (const uint8_t *)"\xff\xfe", 2, &o, &err));
    EXPECT_NULL_ARG(leadcore_route(NULL, st, LIT(SEED_INPUT), &o, &err));
    EXPECT_NULL_ARG(leadcore_route(pb, NULL, LIT(SEED_INPUT), &o, &err));
    EXPECT_NULL_ARG(leadcore_route(pb, st, NULL, 5, &o, &err));
    EXPECT_NULL_ARG(leadcore_route(pb, st, LIT(SEED_INPUT), NULL, &err));
    EXPECT_NULL_ARG(leadcore_route_batch(NULL, st, LIT("{}"), &o, &err));
    EXPECT_NULL_ARG(leadcore_route_batch(pb, NULL, LIT("{}"), &o, &err));
    EXPECT_NULL_ARG(leadcore_route_batch(pb, st, LIT("{}"), NULL, &err));
    CHECK(is_sentinel_buf(o));
    /* A NULL error out-param is allowed: the status alone says what happened. */
    CHECK(leadcore_route(pb, st, LIT("{}"), &o, NULL) == LEADCORE_INVALID_INPUT);
    CHECK(is_sentinel_buf(o));

    leadcore_buf after = state_json(st);
    CHECK(same_buf(before, after));
    leadcore_buf_free(&before);
    leadcore_buf_free(&after);

    leadcore_routing_state *none = SENTINEL;
    EXPECT_NULL_ARG(leadcore_routing_state_new(NULL, &none, &err));
    EXPECT_NULL_ARG(leadcore_routing_state_new(pb, NULL, &err));
    EXPECT_NULL_ARG(leadcore_routing_state_from_json(NULL, 3, &none, &err));
    EXPECT_NULL_ARG(leadcore_routing_state_from_json(LIT("{}"), NULL, &err));
    CHECK(none == SENTINEL);
    leadcore_buf nb = sentinel_buf();
    EXPECT_NULL_ARG(leadcore_routing_state_to_json(NULL, &nb, &err));
    EXPECT_NULL_ARG(leadcore_routing_state_to_json(st, NULL, &err));
    CHECK(is_sentinel_buf(nb));
    leadcore_routing_state_free(NULL);
    leadcore_routing_state_free(st);
    leadcore_playbook_free(pb);
}

/* The columnar path: the same assignments and state as route_batch, as index columns. */
static void test_columns_equal_the_batch(void) {
    leadcore_playbook *pb = seed_playbook();
    leadcore_error *err = NULL;
    /* A 20-employee lead (rule mid: rep B), a 5-employee one (small: A), then round robin. */
    const char leads[] =
        "[{\"id\":\"L-20\",\"firmographics\":{\"employees\":20}},"
        "{\"id\":\"L-5\",\"firmographics\":{\"employees\":5}},{\"id\":\"R-0\"},{\"id\":\"R-1\"}]";
    const char batch_input[] =
        "{\"leads\":[{\"id\":\"L-20\",\"firmographics\":{\"employees\":20}},"
        "{\"id\":\"L-5\",\"firmographics\":{\"employees\":5}},{\"id\":\"R-0\"},{\"id\":\"R-1\"}],"
        "\"now\":\"2026-03-02T09:00:00Z\"}";
    leadcore_routing_state *cols = NULL, *batch = NULL;
    EXPECT_OK(leadcore_routing_state_new(pb, &cols, &err));
    EXPECT_OK(leadcore_routing_state_new(pb, &batch, &err));
    uint8_t kind[4], why[4];
    uint32_t who[4];
    int32_t rule[4];
    leadcore_assignments_out out = {kind, who, rule, why};
    CHECK_STATUS(leadcore_route_columns(pb, cols, STR(leads), 1772442000LL, &out, 4, &err),
                 LEADCORE_OK, err);
    leadcore_buf names = {0};
    EXPECT_OK(leadcore_routing_names(pb, &names, &err));
    CHECK_STR_EQ(names.data,
                 "{\"queues\":[\"unassigned\"],\"reps\":[\"A\",\"B\",\"C\"],"
                 "\"rules\":[\"small\",\"mid\",\"large\",\"rest\"]}");
    leadcore_buf_free(&names);
    CHECK(kind[0] == 0 && who[0] == 1 && rule[0] == 1 && why[0] == 0); /* B by mid */
    CHECK(kind[1] == 0 && who[1] == 0 && rule[1] == 0);                /* A by small */
    CHECK(rule[2] == 3 && rule[3] == 3);                               /* round robin */
    leadcore_buf b = {0};
    EXPECT_OK(leadcore_route_batch(pb, batch, STR(batch_input), &b, &err));
    leadcore_buf_free(&b);
    leadcore_buf x = state_json(cols), y = state_json(batch);
    CHECK(same_buf(x, y));
    leadcore_buf_free(&x);
    leadcore_buf_free(&y);
    /* A row count that is not the number of leads is refused, the state left as it was. */
    EXPECT_FAILURE(leadcore_route_columns(pb, cols, STR(leads), 1772442000LL, &out, 3, &err),
                   LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument");
    leadcore_buf z = state_json(cols), w = state_json(batch);
    CHECK(same_buf(z, w));
    leadcore_buf_free(&z);
    leadcore_buf_free(&w);
    leadcore_routing_state_free(cols);
    leadcore_routing_state_free(batch);
    leadcore_playbook_free(pb);
}

void routing_tests(void) {
    run_test("routing: columns equal the batch", test_columns_equal_the_batch);
    run_test("routing: the seed example goes to B with a notification and a call task",
             test_seed_example);
    run_test("routing: a batch is fair and equals one-by-one routing",
             test_batch_is_fair_and_equals_one_by_one);
    run_test("routing: the state's JSON round trip and bad states",
             test_state_round_trip_and_host_counters);
    run_test("routing: failures and NULLs leave outputs and the state unchanged",
             test_failures_leave_everything_unchanged);
}
