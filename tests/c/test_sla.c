/* Unit tests of the leadcore C SLA API: one lead's statuses as JSON (a breach with its
 * escalation, a touch in time), a board of clocks read from C arrays equal to the JSON
 * statuses, optional arrays left NULL, state names, NULL and bad arguments. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

static const char SLA_YAML[] =
    "schema_version: 1\n"
    "lifecycle: {name: lead, initial: New, stages: [{name: New}]}\n"
    "calendars:\n"
    "  ny: {time_zone: America/New_York, hours: {mon-fri: [\"09:00-17:00\"]}}\n"
    "sla:\n"
    "  policies:\n"
    "    - name: first_touch\n"
    "      calendar: ny\n"
    "      target: 5m\n"
    "      due_soon: 2m\n"
    "      stop: {activity: {kinds: [call]}}\n"
    "      escalations: [{actions: [{kind: notify, params: {to: manager}}]}]\n";

/* Monday 2026-03-02 09:00 in New York. */
#define T0 1772460000LL

static leadcore_playbook *sla_playbook(void) {
    leadcore_playbook *pb = NULL;
    leadcore_error *err = NULL;
    CHECK_STATUS(leadcore_playbook_parse(LEADCORE_FORMAT_YAML, STR(SLA_YAML), &pb, &err),
                 LEADCORE_OK, err);
    leadcore_error_free(err);
    return pb;
}

static void test_status_json(void) {
    leadcore_playbook *pb = sla_playbook();
    leadcore_error *err = NULL;
    leadcore_buf b = {0};
    const char *late =
        "{\"lead\":{\"id\":\"L-1\",\"created_at\":\"2026-03-02T14:00:00Z\"},"
        "\"now\":\"2026-03-02T14:06:00Z\"}";
    CHECK_STATUS(leadcore_sla_status(pb, STR(late), &b, &err), LEADCORE_OK, err);
    CHECK_STR_EQ(b.data,
                 "[{\"actions\":[{\"kind\":\"notify\",\"params\":{\"to\":\"manager\"},"
                 "\"policy\":\"first_touch\",\"step\":0,\"trigger\":\"sla\"}],\"attempts\":0,"
                 "\"deadline\":\"2026-03-02T14:05:00Z\",\"elapsed_seconds\":360,"
                 "\"escalation\":1,\"lead_id\":\"L-1\",\"policy\":\"first_touch\","
                 "\"remaining_seconds\":0,\"started_at\":\"2026-03-02T14:00:00Z\","
                 "\"status\":\"breached\"}]");
    leadcore_buf_free(&b);
    const char *touched =
        "{\"lead\":{\"id\":\"L-2\",\"created_at\":\"2026-03-02T14:00:00Z\"},"
        "\"activities\":[{\"kind\":\"call\",\"at\":\"2026-03-02T14:04:00Z\"}],"
        "\"now\":\"2026-03-02T15:00:00Z\"}";
    CHECK_STATUS(leadcore_sla_status(pb, STR(touched), &b, &err), LEADCORE_OK, err);
    CHECK_CONTAINS(b.data, "\"status\":\"met\"");
    leadcore_buf_free(&b);
    EXPECT_INVALID_INPUT(leadcore_sla_status(pb, LIT("{\"lead\":{\"id\":\"x\"}}"), &b, &err));
    EXPECT_NULL_ARG(leadcore_sla_status(NULL, STR(late), &b, &err));
    leadcore_playbook_free(pb);
}

static void test_board(void) {
    leadcore_playbook *pb = sla_playbook();
    leadcore_error *err = NULL;
    const int64_t none = LEADCORE_NO_TIME;
    /* Started at T0: stopped after 4 min (met), running (breached at T0+10m), not started,
     * running 1 min (pending), not covered. */
    int64_t started[5] = {T0, T0, none, T0 + 540, T0};
    int64_t stopped[5] = {T0 + 240, none, none, none, none};
    uint8_t applies[5] = {1, 1, 1, 1, 0};
    leadcore_sla_clocks clocks = {5, started, stopped, NULL, NULL, NULL, applies};
    uint8_t status[5];
    int64_t deadline[5], elapsed[5], remaining[5], next[5];
    uint32_t escalation[5];
    leadcore_sla_board_out out = {status, deadline, elapsed, remaining, next, escalation};
    leadcore_str policy = {(const uint8_t *)"first_touch", 11};
    CHECK_STATUS(leadcore_sla_board(pb, policy, &clocks, T0 + 600, &out, &err), LEADCORE_OK,
                 err);
    CHECK_STR_EQ(leadcore_sla_state_name(status[0]), "met");
    CHECK_STR_EQ(leadcore_sla_state_name(status[1]), "breached");
    CHECK_STR_EQ(leadcore_sla_state_name(status[2]), "not_started");
    CHECK_STR_EQ(leadcore_sla_state_name(status[3]), "pending");
    CHECK_STR_EQ(leadcore_sla_state_name(status[4]), "not_applicable");
    CHECK(elapsed[0] == 240 && elapsed[1] == 600 && elapsed[3] == 60);
    CHECK(deadline[1] == T0 + 300 && escalation[1] == 1 && next[1] == none);
    CHECK(remaining[3] == 240 && next[3] == T0 + 540 + 180);
    CHECK(deadline[2] == none);
    CHECK(leadcore_sla_state_name(7) == NULL);

    /* Only some outputs: the others stay as they were. */
    int64_t only[5] = {-1, -1, -1, -1, -1};
    leadcore_sla_board_out some = {NULL, only, NULL, NULL, NULL, NULL};
    CHECK_STATUS(leadcore_sla_board(pb, policy, &clocks, T0 + 600, &some, &err), LEADCORE_OK,
                 err);
    CHECK(only[1] == T0 + 300);

    leadcore_str unknown = {(const uint8_t *)"first_tuch", 10};
    EXPECT_INVALID_INPUT(leadcore_sla_board(pb, unknown, &clocks, T0, &out, &err));
    leadcore_sla_clocks no_start = {5, NULL, stopped, NULL, NULL, NULL, NULL};
    EXPECT_NULL_ARG(leadcore_sla_board(pb, policy, &no_start, T0, &out, &err));
    EXPECT_NULL_ARG(leadcore_sla_board(pb, policy, NULL, T0, &out, &err));
    EXPECT_FAILURE(leadcore_sla_board(pb, policy, &clocks, INT64_MAX, &out, &err),
                   LEADCORE_INVALID_ARGUMENT, "ffi.invalid_argument");
    leadcore_playbook_free(pb);
}

void sla_tests(void) {
    run_test("sla: one lead's statuses as JSON", test_status_json);
    run_test("sla: a board of clocks from C arrays", test_board);
}
