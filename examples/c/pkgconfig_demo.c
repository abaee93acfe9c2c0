/* The smallest leadcore program, built through pkg-config after scripts/install-c.sh:
 *
 *   PREFIX=$HOME/.local bash scripts/install-c.sh
 *   export PKG_CONFIG_PATH=$HOME/.local/lib/pkgconfig
 *   cc -std=c11 pkgconfig_demo.c $(pkg-config --cflags --libs leadcore) -o demo
 *   LD_LIBRARY_PATH=$HOME/.local/lib ./demo       (or link with -Wl,-rpath,$HOME/.local/lib)
 *
 * Statically: install with LIBRARY_TYPES=static, then link with
 * $(pkg-config --static --cflags --libs leadcore).
 *
 * It checks that the header and the library agree, starts a lead on the default playbook,
 * moves it to MQL, and shows a refused move with its error. Exits 0 when all went as
 * expected. Valid C99 and C++. */
#include <leadcore.h>
#include <stdio.h>
#include <string.h>

#define START "{\"pipeline\":\"lead\",\"record_id\":\"L-1\",\"now\":\"2026-01-05T09:00:00Z\"}"
#define MOVE(to, role, score)                                                                  \
    "{\"request\":{\"to\":\"" to "\",\"actor\":{\"id\":\"u1\",\"role\":\"" role "\"},"         \
    "\"now\":\"2026-01-05T11:00:00Z\"},\"subject\":{\"lead\":{\"id\":\"L-1\"}},"               \
    "\"scores\":{\"lead\":" score "}}"

static const uint8_t *bytes(const char *text) { return (const uint8_t *)text; }

/* Prints a failed call's error, frees it and resets *err; returns 1. */
static int fail(const char *what, leadcore_error **err) {
    fprintf(stderr, "%s failed: %s (%s)\n", what, leadcore_error_message(*err),
            leadcore_error_code(*err));
    leadcore_error_free(*err);
    *err = NULL;
    return 1;
}

int main(void) {
    if (leadcore_version_number() != LEADCORE_VERSION_NUMBER) {
        fprintf(stderr, "header %d.%d.%d, library %s\n", LEADCORE_VERSION_MAJOR,
                LEADCORE_VERSION_MINOR, LEADCORE_VERSION_PATCH, leadcore_version());
        return 1;
    }
    printf("leadcore %s (%u)\n", leadcore_version(), (unsigned)leadcore_version_number());

    leadcore_playbook *pb = NULL;
    leadcore_state *st = NULL;
    leadcore_error *err = NULL;
    if (leadcore_playbook_default(&pb, &err) != LEADCORE_OK) return fail("playbook", &err);
    if (leadcore_state_start(pb, bytes(START), strlen(START), &st, &err) != LEADCORE_OK) {
        leadcore_playbook_free(pb);
        return fail("start", &err);
    }

    int status = 0;
    leadcore_buf out = LEADCORE_BUF_INIT;
    const char *to_mql = MOVE("MQL", "marketing", "120");
    if (leadcore_state_transition(pb, st, bytes(to_mql), strlen(to_mql), &out, &err) ==
        LEADCORE_OK) {
        printf("moved: %s\n", (const char *)out.data);
    } else {
        status = fail("transition to MQL", &err);
    }
    leadcore_buf_free(&out);

    /* Straight from MQL to Won is not a transition of the default playbook: refused, and
     * `out` stays empty. */
    leadcore_buf refused = LEADCORE_BUF_INIT;
    const char *to_won = MOVE("Won", "ae", "120");
    leadcore_status s =
        leadcore_state_transition(pb, st, bytes(to_won), strlen(to_won), &refused, &err);
    if (s == LEADCORE_OK || refused.data != NULL) {
        fprintf(stderr, "MQL -> Won was not refused\n");
        status = 1;
    } else {
        printf("refused: %s: %s\n", leadcore_error_code(err), leadcore_error_message(err));
    }
    leadcore_error_free(err);
    leadcore_buf_free(&refused);

    leadcore_state_free(st);
    leadcore_playbook_free(pb);
    return status;
}
