/*
 * leadcore.h: the C API of leadcore, a lead-management engine (lifecycle state machines
 * driven by a playbook, and lead scoring with decay, thresholds and explanations).
 *
 * API conventions
 * ===============
 *
 * Names. Functions are leadcore_<object>_<verb>; types are leadcore_playbook (a validated,
 * immutable playbook), leadcore_state (one record's lifecycle state), leadcore_score_state
 * (one lead's incremental scoring state), leadcore_error (why a call failed) and
 * leadcore_buf (bytes handed out by the library). leadcore_str, leadcore_event and
 * leadcore_event_columns are plain structs the caller fills to pass typed data in.
 *
 * Status and errors. Every fallible function returns a leadcore_status: LEADCORE_OK (0) on
 * success, another LEADCORE_* status otherwise. Its last parameter is `leadcore_error **err`,
 * which may be NULL. On failure, if err is not NULL, *err receives a NEW error object (the
 * previous value of *err is overwritten, not freed) that the caller frees with
 * leadcore_error_free; on success *err is left alone. An error gives its status, a stable
 * machine code (leadcore_error_code: "lifecycle.guard_failed", "ffi.null_argument", ...), a
 * message, and a canonical JSON report (leadcore_error_to_json) with every detail: all
 * failing guards, all playbook issues with their paths, the parse location. There is no
 * thread-local "last error".
 *
 * Outputs. Out-parameters are written only on success; on failure they keep whatever they
 * held. A `const` pointer parameter means the call does not change that object.
 *
 * Ownership. Each object has exactly one constructor family and exactly one destructor:
 * leadcore_playbook_free, leadcore_state_free, leadcore_score_state_free,
 * leadcore_error_free, leadcore_buf_free.
 * Passing NULL to a destructor is a no-op. Never free library memory with free().
 * Arrow C streams (struct ArrowArrayStream, declared below as the Arrow spec does) follow
 * the Arrow C stream interface instead: a stream passed in is taken over by the call (moved:
 * its release becomes NULL and the library releases it, also when the call fails); a
 * stream handed out is the caller's, released through its own release callback.
 *
 * Strings in. Text arguments are (const uint8_t *ptr, size_t len) pairs of UTF-8 bytes and
 * need no NUL terminator. NULL with len 0 is the empty string; NULL with len > 0 gives
 * LEADCORE_NULL_ARGUMENT; bytes that are not UTF-8 give LEADCORE_INVALID_UTF8. Inside
 * structs a string is a leadcore_str {ptr, len} with the same rules, and an optional one is
 * absent when ptr is NULL and len 0. The library does not keep any pointer after the call
 * returns.
 *
 * Data out. Rich values (states, transition outcomes, dwell times, playbooks, error reports)
 * come out as canonical JSON in a leadcore_buf: UTF-8, object keys sorted at every depth, no
 * whitespace, so every leadcore binding gives byte-identical output. buf.data[buf.len] is a
 * NUL byte (not counted in len), so buf.data may be used as a C string; declare an empty
 * buffer as `leadcore_buf out = LEADCORE_BUF_INIT;` (C and C++). Rich values go in as
 * JSON too (StartInput, TransitionInput, scoring inputs, a stored state). Scores are JSON
 * numbers in the shortest form that reads back to the same double. Hot numeric paths use
 * typed arrays instead: leadcore_score_columns reads C arrays and writes scores into a
 * caller-allocated double array; leadcore_score_state_record takes a typed event. Columnar
 * data also travels as the Arrow C data interface: leadcore_score_arrow reads events from
 * an Arrow C stream of record batches (every array validated, dictionary keys where the
 * batch reads them) and gives the scores back as one, its row errors as JSON;
 * leadcore_score_arrow_leads takes the leads as such a stream too.
 *
 * Enums in. Values such as the playbook format are plain uint32_t; an unknown value gives
 * LEADCORE_INVALID_ARGUMENT rather than undefined behaviour.
 *
 * Times. Typed lifecycle calls take instants as int64_t Unix epoch milliseconds, UTC
 * (parameters named *_ms). Typed scoring calls take int64_t Unix epoch seconds, UTC, the
 * scoring engine's resolution and the unit of event tables (parameters and fields named
 * *_unix_s). JSON carries RFC 3339 strings ("2026-01-05T09:00:00Z");
 * leadcore_time_parse_rfc3339 converts one into milliseconds. The library never reads a
 * clock: every time-dependent call is given `now`.
 *
 * Threads. A leadcore_playbook is immutable and may be used from any number of threads at
 * once. A leadcore_state may be read from several threads, but leadcore_state_transition
 * changes it: no other call may use that state at the same time. The same holds for a
 * leadcore_score_state and the calls that change it (_record, _apply, _check_thresholds).
 * Errors and buffers are plain owned values.
 *
 * Building. `pkg-config --cflags --libs leadcore` (add --static for libleadcore.a) or
 * CMake's find_package(leadcore) with the target leadcore::leadcore, after
 * scripts/install-c.sh (PREFIX=..., default /usr/local).
 *
 * Panics. A panic inside the library (a bug) never unwinds into C: the call returns
 * LEADCORE_PANIC and has no effect. (One exception: leadcore_score_state_record updates its
 * state in place to stay O(1); if it ever panicked mid-update, that state refuses every
 * later call with LEADCORE_PANIC instead of exposing a half-recorded event.)
 *
 * Versions. LEADCORE_VERSION_MAJOR/MINOR/PATCH describe this header, and
 * LEADCORE_VERSION_NUMBER is the same as MAJOR * 10000 + MINOR * 100 + PATCH;
 * leadcore_version() ("0.1.0") and leadcore_version_number() (100) give the linked
 * library's; LEADCORE_ABI_VERSION changes on incompatible changes, and with it the shared
 * library's SONAME (libleadcore.so.0).
 * A status number never changes once published; new ones are appended (LEADCORE_BAD_EVENT,
 * for the core's score.bad_event, is 16, after the door's own statuses;
 * LEADCORE_INVALID_HISTORY, for lifecycle.invalid_history, is 17).
 */

#ifndef LEADCORE_H
#define LEADCORE_H

/* Generated by cbindgen 0.29.4 from crates/leadcore-ffi: do not edit by hand.
 * Regenerate with: LEADCORE_BLESS=1 cargo test -p leadcore-ffi --test header */

#include <stddef.h>
#include <stdint.h>
/*
 * The Arrow C data interface and C stream interface
 * (https://arrow.apache.org/docs/format/CDataInterface.html and CStreamInterface.html),
 * declared exactly as the Arrow specification does, behind its guard macros: a host that
 * already included Arrow's own abi.h (Arrow C++, nanoarrow, DuckDB, ...) uses its
 * definitions and this block is skipped. leadcore_score_arrow takes and gives these.
 */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    /* Array type description */
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;

    /* Release callback */
    void (*release)(struct ArrowSchema *);
    /* Opaque producer-specific data */
    void *private_data;
};

struct ArrowArray {
    /* Array data description */
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;

    /* Release callback */
    void (*release)(struct ArrowArray *);
    /* Opaque producer-specific data */
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
    /* Callbacks providing stream functionality */
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);

    /* Release callback */
    void (*release)(struct ArrowArrayStream *);

    /* Opaque producer-specific data */
    void *private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/*
 * The initialiser of an empty leadcore_buf (owns nothing, may be freed), the same in C and
 * C++:  leadcore_buf out = LEADCORE_BUF_INIT;
 * (`= {0}` warns under g++ -Wextra: missing-field-initializers.)
 */
#define LEADCORE_BUF_INIT { NULL, 0 }

/**
 * "No time" in SLA clock and board arrays: `INT64_MIN`.
 */
#define LEADCORE_NO_TIME INT64_MIN

/**
 * Major version of the library this header belongs to.
 */
#define LEADCORE_VERSION_MAJOR 0

/**
 * Minor version of the library this header belongs to.
 */
#define LEADCORE_VERSION_MINOR 1

/**
 * Patch version of the library this header belongs to.
 */
#define LEADCORE_VERSION_PATCH 0

/**
 * Version of the C ABI: raised whenever a type's layout, a function's signature or a
 * status value changes incompatibly. Adding functions or statuses does not raise it.
 */
#define LEADCORE_ABI_VERSION 1

/**
 * This header's version as one number, `MAJOR * 10000 + MINOR * 100 + PATCH` (0.1.0 is
 * 100), for `#if LEADCORE_VERSION_NUMBER >= ...` and comparison with
 * `leadcore_version_number()`.
 */
#define LEADCORE_VERSION_NUMBER (((LEADCORE_VERSION_MAJOR * 10000) + (LEADCORE_VERSION_MINOR * 100)) + LEADCORE_VERSION_PATCH)

/**
 * An error returned by a failed call: a status, a stable machine code, a message and a
 * JSON report. Owned by the caller, who frees it with `leadcore_error_free`. Immutable, so
 * it may be read from several threads at once.
 */
typedef struct leadcore_error leadcore_error;

/**
 * A trained `logistic` model (a calibrated, regularised logistic regression with
 * per-feature explanations): made by `leadcore_logistic_fit` or read back by
 * `leadcore_logistic_from_json`, freed with `leadcore_logistic_free`. Immutable: every
 * call takes it `const`, and one model may score on many threads at once.
 *
 * Frames (`frame_json`) are UTF-8 JSON, either a column object
 * `{"source":["web",null],"visits":[3,1.5]}` or JSON lines of row objects
 * (`{"source":"web","visits":3}` per line, a key left out being a missing value). Only
 * the columns the model reads are read: a categorical feature (and the group) takes
 * strings, booleans and `null`, a numeric feature numbers, booleans (1/0) and `null`.
 */
typedef struct leadcore_logistic leadcore_logistic;

/**
 * A validated playbook: pipelines, stages, transitions, guards and actions. Immutable, so
 * one playbook may be used from any number of threads at once.
 */
typedef struct leadcore_playbook leadcore_playbook;

/**
 * A routing state: per-rep counters (open leads, today's count, assigned deal value, win
 * rate), round-robin positions by rule, and the account and domain owner maps. The host
 * persists it (`leadcore_routing_state_to_json`) with each assignment and hands it back
 * with the next lead. Calls that take it `const` only read it; `leadcore_route` and
 * `leadcore_route_batch` change it, so no other call may use the state at the same time.
 * Every call that fails leaves it unchanged.
 */
typedef struct leadcore_routing_state leadcore_routing_state;

/**
 * One lead's scoring state: the counted activity times per behaviour rule, engagement and
 * follow-up times, and where each threshold stands. Made for one playbook: pass the same
 * playbook to every call on it. Calls that take it `const` only read it;
 * `leadcore_score_state_record`, `_apply` and `_check_thresholds` change it, so no other
 * call may use the state at the same time. Every call that fails leaves it unchanged.
 */
typedef struct leadcore_score_state leadcore_score_state;

/**
 * The lifecycle state of one record (a lead or an opportunity) in one pipeline: its current
 * stage, the highest stage reached and its history. Calls that take it `const` only read
 * it; `leadcore_state_transition` changes it, so one state must not be used by two threads
 * at once while it is being moved.
 */
typedef struct leadcore_state leadcore_state;

/**
 * The result of every fallible call: `LEADCORE_OK` (0) on success, another `LEADCORE_*`
 * status otherwise. New statuses may be added at the end in later versions; treat any
 * non-zero value as a failure and read `leadcore_error_code` for the precise cause.
 */
typedef uint32_t leadcore_status;

/**
 * Bytes owned by the library: canonical JSON (UTF-8, object keys sorted, no whitespace).
 *
 * `data[len]` is a NUL byte, so `data` may be used as a C string; `len` excludes it. A
 * filled buffer's `data` is never NULL. Treat both fields as read-only and release the
 * buffer with `leadcore_buf_free` (never `free()`). A zeroed buffer (`{NULL, 0}`, which
 * `LEADCORE_BUF_INIT` gives in C and C++) owns nothing and may be freed.
 */
typedef struct leadcore_buf {
    /**
     * The bytes, followed by a NUL byte.
     */
    uint8_t *data;
    /**
     * The number of bytes, without the trailing NUL.
     */
    size_t len;
} leadcore_buf;

/**
 * A playbook text format, passed as a plain `uint32_t`: one of the `LEADCORE_FORMAT_*`
 * constants. Any other value gives `LEADCORE_INVALID_ARGUMENT`.
 */
typedef uint32_t leadcore_format;

/**
 * Caller-allocated output arrays of `leadcore_route_columns`, one entry per lead each (any
 * may be NULL to skip it).
 */
typedef struct leadcore_assignments_out {
    /**
     * 0: a rep, 1: a queue.
     */
    uint8_t *kind;
    /**
     * The rep's index in `reps`, or the queue's in `queues`, of `leadcore_routing_names`.
     */
    uint32_t *assignee;
    /**
     * The placing rule's index in `rules` of `leadcore_routing_names`; -1 for a lead left
     * in the unassignable queue.
     */
    int32_t *rule;
    /**
     * Why a lead went to the unassignable queue: 0 placed by a rule, 1 the playbook has no
     * rules, 2 no rule matched, 3 rules matched but found no eligible rep (255: a reason
     * this header does not know yet).
     */
    uint8_t *unassigned;
} leadcore_assignments_out;

/**
 * A borrowed UTF-8 string passed inside a struct: `ptr` to `len` bytes, no NUL terminator
 * needed. Where a field is optional, `ptr == NULL` (with `len == 0`) means absent; a
 * non-NULL `ptr` with `len == 0` is the empty string. NULL with `len > 0` gives
 * `LEADCORE_NULL_ARGUMENT`, bytes that are not UTF-8 `LEADCORE_INVALID_UTF8`. The library
 * does not keep the pointer after the call returns.
 */
typedef struct leadcore_str {
    /**
     * The bytes (UTF-8), or NULL.
     */
    const uint8_t *ptr;
    /**
     * The number of bytes.
     */
    size_t len;
} leadcore_str;

/**
 * A dictionary-encoded string column of `leadcore_event_columns`: row `i` holds
 * `dictionary[codes[i]]`, or nothing when `codes[i]` is `UINT32_MAX`. `codes` has
 * `leadcore_event_columns.rows` entries; `codes == NULL` means the column is absent. A
 * code that is neither `UINT32_MAX` nor below `dictionary_len` gives
 * `LEADCORE_INVALID_ARGUMENT`.
 */
typedef struct leadcore_dict_column {
    /**
     * One code per row, or NULL for an absent column.
     */
    const uint32_t *codes;
    /**
     * The distinct values, UTF-8 (each `ptr` non-NULL unless its `len` is 0).
     */
    const struct leadcore_str *dictionary;
    /**
     * The number of values in `dictionary`.
     */
    size_t dictionary_len;
} leadcore_dict_column;

/**
 * Activity events as C arrays, one entry per row in every present column (the columnar
 * fast path of `leadcore_score_columns`). Zero-initialise it and fill what you have:
 * optional columns left NULL are absent.
 */
typedef struct leadcore_event_columns {
    /**
     * The number of rows.
     */
    size_t rows;
    /**
     * Required: the index of each row's lead in the leads array. An index out of range
     * becomes a row error (`unknown_lead`), not a failed call.
     */
    const uint32_t *lead_index;
    /**
     * Required: the activity kind (`"web_visit"`, `"email_opened"`, custom names...). A
     * row whose code is `UINT32_MAX` is not counted.
     */
    struct leadcore_dict_column kind;
    /**
     * Required: when each activity happened, Unix seconds UTC.
     */
    const int64_t *at_unix_s;
    /**
     * Optional: page of web visits.
     */
    struct leadcore_dict_column page;
    /**
     * Optional: seconds on page / duration; a negative value is missing. NULL: absent.
     */
    const int64_t *seconds;
    /**
     * Optional: e-mail or ad campaign.
     */
    struct leadcore_dict_column campaign;
    /**
     * Optional: form id of a form submission.
     */
    struct leadcore_dict_column form_id;
    /**
     * Optional: content id of a download.
     */
    struct leadcore_dict_column content_id;
} leadcore_event_columns;

/**
 * One activity event for `leadcore_score_state_record`, typed: no JSON on this path.
 * Optional text fields are absent when their `ptr` is NULL (and `len` 0).
 */
typedef struct leadcore_event {
    /**
     * The activity kind, e.g. `"web_visit"`, `"email_opened"` or a custom name.
     */
    struct leadcore_str kind;
    /**
     * When it happened, Unix seconds UTC.
     */
    int64_t at_unix_s;
    /**
     * Page of a web visit, or absent.
     */
    struct leadcore_str page;
    /**
     * E-mail or ad campaign, or absent.
     */
    struct leadcore_str campaign;
    /**
     * Form id of a form submission, or absent.
     */
    struct leadcore_str form_id;
    /**
     * Content id of a download, or absent.
     */
    struct leadcore_str content_id;
    /**
     * Seconds on page / duration; negative means absent (at most `UINT32_MAX`).
     */
    int64_t seconds;
} leadcore_event;

/**
 * One SLA policy's clocks, one row per lead, as the host stores them (from
 * `leadcore_sla_status`'s clocks or its own bookkeeping). Times are Unix seconds UTC with
 * `LEADCORE_NO_TIME` for none. Every non-NULL array holds `rows` entries; only `started_at`
 * is required: a NULL `stopped_at`, `paused_since` or `breached_at` is none on every row,
 * a NULL `paused_seconds` is 0, a NULL `applies` is 1 (the policy covers every lead).
 */
typedef struct leadcore_sla_clocks {
    /**
     * The number of rows.
     */
    size_t rows;
    /**
     * When each clock started (`LEADCORE_NO_TIME`: not started).
     */
    const int64_t *started_at;
    /**
     * When it stopped.
     */
    const int64_t *stopped_at;
    /**
     * Business seconds of finished pauses.
     */
    const int64_t *paused_seconds;
    /**
     * Start of the pause in progress.
     */
    const int64_t *paused_since;
    /**
     * The deadline, once an event came after it with the clock unstopped.
     */
    const int64_t *breached_at;
    /**
     * 1 where the policy covers the lead, 0 where not.
     */
    const uint8_t *applies;
} leadcore_sla_clocks;

/**
 * Caller-allocated output arrays of `leadcore_sla_board`, each of the clocks' `rows`
 * entries (any may be NULL to skip it).
 */
typedef struct leadcore_sla_board_out {
    /**
     * The state code: 0 not_applicable, 1 not_started, 2 pending, 3 due_soon, 4 paused,
     * 5 met, 6 breached (`leadcore_sla_state_name` gives the name).
     */
    uint8_t *status;
    /**
     * The deadline (`LEADCORE_NO_TIME`: none, e.g. while paused).
     */
    int64_t *deadline;
    /**
     * Business seconds the clock ran.
     */
    int64_t *elapsed_seconds;
    /**
     * Business seconds left.
     */
    int64_t *remaining_seconds;
    /**
     * The next instant the status or escalation step changes (`LEADCORE_NO_TIME`: none).
     */
    int64_t *next_change;
    /**
     * Escalation steps reached.
     */
    uint32_t *escalation;
} leadcore_sla_board_out;

/**
 * JSON playbook text.
 */
#define LEADCORE_FORMAT_JSON 0

/**
 * TOML playbook text.
 */
#define LEADCORE_FORMAT_TOML 1

/**
 * YAML 1.2 playbook text.
 */
#define LEADCORE_FORMAT_YAML 2

/**
 * Success.
 */
#define LEADCORE_OK 0

/**
 * The playbook text is malformed or holds a value of the wrong type (`playbook.parse`).
 */
#define LEADCORE_PLAYBOOK_PARSE 1

/**
 * The playbook parsed but breaks rules; every issue is in the error's JSON report
 * (`playbook.invalid`).
 */
#define LEADCORE_PLAYBOOK_INVALID 2

/**
 * No pipeline of that name (`lifecycle.unknown_pipeline`).
 */
#define LEADCORE_UNKNOWN_PIPELINE 3

/**
 * No stage of that name in the pipeline (`lifecycle.unknown_stage`).
 */
#define LEADCORE_UNKNOWN_STAGE 4

/**
 * The transition is not allowed at all (`lifecycle.not_allowed`).
 */
#define LEADCORE_NOT_ALLOWED 5

/**
 * Guards refused the transition; every failing guard is in the JSON report
 * (`lifecycle.guard_failed`).
 */
#define LEADCORE_GUARD_FAILED 6

/**
 * Entering the stage needs a reason and none was given (`lifecycle.reason_required`).
 */
#define LEADCORE_REASON_REQUIRED 7

/**
 * The reason is not one the stage accepts (`lifecycle.invalid_reason`).
 */
#define LEADCORE_INVALID_REASON 8

/**
 * `now` is earlier than the record's last transition (`lifecycle.time_went_backwards`).
 */
#define LEADCORE_TIME_WENT_BACKWARDS 9

/**
 * Stored data of a format version this build cannot read (`state.unsupported_version`).
 */
#define LEADCORE_UNSUPPORTED_VERSION 10

/**
 * Malformed input: bad JSON, a missing field, an inconsistent state, a bad timestamp
 * (`input.invalid`).
 */
#define LEADCORE_INVALID_INPUT 11

/**
 * A required pointer argument was NULL (`ffi.null_argument`).
 */
#define LEADCORE_NULL_ARGUMENT 12

/**
 * A string argument is not valid UTF-8 (`ffi.invalid_utf8`).
 */
#define LEADCORE_INVALID_UTF8 13

/**
 * An argument has a value outside its domain, e.g. an unknown format or a time out of
 * range (`ffi.invalid_argument`).
 */
#define LEADCORE_INVALID_ARGUMENT 14

/**
 * The library panicked; this is a bug in leadcore. The call had no effect (`ffi.panic`).
 */
#define LEADCORE_PANIC 15

/**
 * An activity event the scoring engine cannot use: later than `now` beyond the playbook's
 * tolerance; the JSON report's `reason` says why (`score.bad_event`).
 */
#define LEADCORE_BAD_EVENT 16

/**
 * A history to replay is not one the pipeline could have produced; every bad entry is in
 * the JSON report's `entries`, each `{index, code, message}` (`lifecycle.invalid_history`).
 */
#define LEADCORE_INVALID_HISTORY 17

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * Computes pipeline metrics (the four V's per stage, win rate new vs expansion, average
 * deal size, cycle, sales velocity) per group in one pass. `input_json` is
 * `{"stages":["Open",{"name":"Won","kind":"won"},..]` (or `"pipeline"`: a deal pipeline of
 * `playbook`), `"period":{"from","to"}` (RFC 3339; `to` is also the snapshot),
 * `"qualified_from"?`, `"group_by"?:["owner"|"team"|"manager"|"office"|"source"|"pipeline"|"kind"]`,
 * `"opportunities":[{"id","owner"?,..,"kind"?,"amount"?:{"minor","currency"},"created_at"?,
 * "stage"?,"history":[{"at","stage"}]}]}`. On success `*out` receives canonical JSON
 * `{"groups":[{"key":{..},"period","opportunities","stages":[..],"win_rate","won_value",
 * "average_deal_size","cycle","open_qualified","sales_velocity"}]}`. An unknown stage gives
 * `LEADCORE_UNKNOWN_STAGE`; bad JSON, an empty period, a negative amount, a close before
 * creation or won deals in mixed currencies give `LEADCORE_INVALID_INPUT`; `pipeline`
 * with a NULL playbook gives `LEADCORE_NULL_ARGUMENT`, an unknown one
 * `LEADCORE_UNKNOWN_PIPELINE`. `playbook` may be NULL when `stages` are given.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `input_json` is NULL (with `len == 0`) or points
 * to `len` readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is
 * NULL or valid for writing a pointer.
 */
leadcore_status leadcore_pipeline_metrics(const struct leadcore_playbook *playbook,
                                          const uint8_t *input_json,
                                          size_t len,
                                          struct leadcore_buf *out,
                                          struct leadcore_error **err);

/**
 * Pipeline metrics from tables: the Python door's `pipeline_metrics` for a C host holding
 * Arrow data (Arrow C++, nanoarrow, DuckDB, polars), a row per group and stage out.
 *
 * `spec_json` is the input of `leadcore_pipeline_metrics` without the opportunities:
 * `{"stages":[..]` (or `"pipeline"`, a deal pipeline of `playbook`), `"period":{"from","to"}`,
 * `"qualified_from"?`, `"group_by"?:[..]}`. `opportunities` is a stream of record batches
 * with one row per opportunity: `opportunity_id` (or `id`: text, or integers of any
 * width, matched as integers), and optionally `owner`, `team`, `manager`, `office`,
 * `source`, `pipeline` (text), `kind` (`new_business`, `upsell`, `cross_sell`), `amount`
 * (integer minor units) with `currency` (text), `created_at` (timestamps, dates or
 * integers as Unix seconds) and `stage` (the current stage, for rows without history).
 * `history` (NULL: none) is a stream of stage entries: `opportunity_id` (of the
 * opportunities' type), `at` and `stage`, in any row order. Ownership of both streams
 * moves to the call as in `leadcore_score_arrow`: each is released exactly once, before
 * the call returns, whatever it returns.
 *
 * On success `*out` receives a new stream, owned by the caller, of one record batch: the
 * group keys (`owner`, .. as asked, utf8), a row per group and stage: `stage`,
 * `stage_kind`, `entered`, `in_stage`, `converted`, `conversion_to_next`, `dwell_count`,
 * `dwell_mean_s`, `dwell_median_s`, `dwell_p90_s`, `currency`, `value_entered`,
 * `value_in_stage`, then the group's `opportunities`, `won`, `lost`, `win_rate`,
 * `win_rate_new_business`, `win_rate_expansion`, `won_value`, `average_deal_size`,
 * `cycle_mean_s`, `cycle_median_s`, `cycle_p90_s`, `open_qualified`,
 * `sales_velocity_per_day` (the Python door's table, column for column); the figures are
 * those of `leadcore_pipeline_metrics` for the same opportunities.
 *
 * Errors: a NULL `spec_json`, `opportunities` or `out` gives `LEADCORE_NULL_ARGUMENT`;
 * bad spec JSON (or opportunities in it), a malformed stream, a column of a wrong type,
 * a duplicate or missing id, an entry naming no opportunity, entries out of time order
 * and the rest of `leadcore_pipeline_metrics`' errors give `LEADCORE_INVALID_INPUT`; an
 * unknown stage `LEADCORE_UNKNOWN_STAGE`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `spec_json` is NULL or points to `spec_len`
 * readable bytes; `opportunities` and `history` are NULL or point to readable and writable
 * `struct ArrowArrayStream`s whose callbacks, when set, follow the Arrow C stream
 * interface; `out` is NULL or valid for writing a `struct ArrowArrayStream`; `err` is NULL
 * or valid for writing a pointer.
 */
leadcore_status leadcore_pipeline_metrics_arrow(const struct leadcore_playbook *playbook,
                                                const uint8_t *spec_json,
                                                size_t spec_len,
                                                struct ArrowArrayStream *opportunities,
                                                struct ArrowArrayStream *history,
                                                struct ArrowArrayStream *out,
                                                struct leadcore_error **err);

/**
 * Finds the bottlenecks of a deal pipeline over a period against a trailing baseline of
 * periods of the same length: stages accumulating deals or holding them longer, deals lost
 * by stage, leaks (deals in a stage past its threshold) and the deals closest to closing.
 * `input_json` is `{"stages":[..]` (or `"pipeline"`: a deal pipeline of `playbook`),
 * `"period":{"from","to"}` (RFC 3339; `to` is also the snapshot), `"baseline_periods"?`
 * (default 3), `"factor"?` (1.25), `"min_count"?` (5), `"closest"?` (10),
 * `"leak_after"?:{"<open stage>":"30d",..}` (default: the baseline's p90 dwell),
 * `"opportunities":[{"id","owner"?,..,"amount"?,"created_at"?,"stage"?,"history":[{"at","stage"}]}]}`.
 * On success `*out` receives canonical JSON `{"period","baseline","baseline_periods",
 * "deals","bottlenecks":["<stage>",..],"stages":[..],"lost_at_stage":[..],"leaks":[..],
 * "closest_to_closing":[..]}`. An unknown stage gives `LEADCORE_UNKNOWN_STAGE`; bad JSON,
 * an empty period, a bad threshold, entries out of time order or before the creation give
 * `LEADCORE_INVALID_INPUT`; `pipeline` with a NULL playbook gives `LEADCORE_NULL_ARGUMENT`,
 * an unknown one `LEADCORE_UNKNOWN_PIPELINE`. `playbook` may be NULL when `stages` are
 * given.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `input_json` is NULL (with `len == 0`) or points
 * to `len` readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is
 * NULL or valid for writing a pointer.
 */
leadcore_status leadcore_bottlenecks(const struct leadcore_playbook *playbook,
                                     const uint8_t *input_json,
                                     size_t len,
                                     struct leadcore_buf *out,
                                     struct leadcore_error **err);

/**
 * Computes lead metrics over lifecycle histories: milestones reached in the period,
 * conversions MQL→SRL, SRL→SQL and SQL→Won against benchmarks, lead velocity, time from MQL
 * to SQL, and the same by source (and by owner). `input_json` is
 * `{"period":{"from","to"},"stages"?:{"mql":[..],"srl":[..],"sql":[..],"opportunity":[..],
 * "won":[..],"others"?:[..]},"benchmarks"?:{"mql_to_srl"?:{"low","high"},..},"by_owner"?,
 * "leads":[{"id","source"?,"owner"?,"created_at"?,"history":[{"at","stage"}]}]}`. On
 * success `*out` receives canonical JSON `{"period","funnel","velocity","mql_to_sql",
 * "by_source":[..],"by_owner":[..]|null}`. Bad JSON, an empty period, a bad benchmark, a
 * stage neither a milestone's nor another known one, or entries out of time order give
 * `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
 * or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_lead_metrics(const uint8_t *input_json,
                                      size_t len,
                                      struct leadcore_buf *out,
                                      struct leadcore_error **err);

/**
 * Computes activity metrics per rep: activities in the period by kind, and tasks assigned,
 * done and open. `input_json` is `{"period":{"from","to"},"activities":[{"kind","at","actor"?,
 * "id"?,..}]}` (a task is a `task_assigned` and a `task_done` sharing an `id`). On success
 * `*out` receives canonical JSON `{"period","activities","unattributed","reps":[{"rep",
 * "total","by_kind":{..},"tasks":{"assigned","done","open"}}]}`. Bad JSON, an empty period,
 * a task activity without an `id` or an assignment without an `actor` give
 * `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
 * or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_activity_metrics(const uint8_t *input_json,
                                          size_t len,
                                          struct leadcore_buf *out,
                                          struct leadcore_error **err);

/**
 * Scores a batch of events given through the Arrow C stream interface, the columnar
 * interchange of pyarrow, polars, DuckDB, nanoarrow and Arrow C++.
 *
 * `events` is a stream of record batches (a struct-typed stream, as `RecordBatchReader`s
 * export) with the columns the Python door reads: `lead_id` (strings: utf8, large_utf8,
 * utf8_view or a dictionary of them, or integers of any width, taken as they are and
 * matched to the lead whose `id` is their decimal text), `kind` (strings), `at` (integers as Unix seconds, or
 * timestamps of any unit; a timestamp without a zone is UTC) and any attribute columns
 * named as conditions name them (`page`, `seconds`, `campaign`, `form_id`, `content_id`,
 * `attrs.NAME`); nulls are missing values. Rows are numbered across batches in stream
 * order. `leads_json` is the JSON array of leads of `leadcore_score_columns`
 * (`[{"id":"A","firmographics":{..},"custom":{..}}, ..]`); an event's `lead_id` is matched
 * to a lead's `id`. A NULL `leads_json` scores one lead (with no fields) per distinct
 * `lead_id` of the events, in order of first appearance, with no JSON to parse: the fast
 * path for behaviour-only models. `now_unix_s` is the scoring time, Unix seconds UTC.
 *
 * Ownership of `events`: when `events` is not NULL the call takes the stream over, whatever
 * it returns (as the Arrow spec's move): it copies the struct, marks `*events` released
 * (`events->release` becomes NULL) and calls the producer's `release` callback exactly
 * once before returning, also on failure. The caller must not release it again (a
 * released stream needs no release). Every array the stream hands out is validated
 * (offsets, UTF-8, child lengths, a dictionary's values) before it is read; dictionary
 * keys are checked as the batch reads them (in the rows of the kinds whose rules filter
 * on the column), and a key read outside its dictionary fails the call as malformed
 * input; a key no rule reads cannot change a score and is not looked at.
 *
 * On success `*scores_out` receives a new stream, owned by the caller, who releases it
 * with `scores_out->release(scores_out)` (and each schema and array it gives with its own
 * `release`, as the spec says). Its schema is `lead_id` (utf8, not null; with a NULL
 * `leads_json` and integer ids, the events' integer type), then per score
 * model, in the order of `leadcore_scoring_model_names`, `score_<model>` (float64, not
 * null) and, for a model with grade bands, `grade_<model>` (utf8, null outside every
 * band); it gives one record batch of one row per lead, in the order of `leads_json` (or
 * of first appearance),
 * then the end of the stream. `*row_errors_out` receives the canonical JSON array of the
 * rows not counted, `[{"message","reason","row"}]`, the row errors of
 * `leadcore_score_table` (`reason` a stable code: `unknown_lead` for a `lead_id` among no
 * lead, `invalid_time`, `in_future` after `now` beyond the playbook's tolerance,
 * `bad_value`). The scores are those of `leadcore_score_table` for the same events as a
 * JSON table. The previous contents of `*scores_out` and
 * `*row_errors_out` are neither read nor released, and on failure are left as they were.
 *
 * Errors: a NULL `events`, `scores_out` or `row_errors_out`, or NULL `playbook`, gives
 * `LEADCORE_NULL_ARGUMENT`; a `now_unix_s` out of range `LEADCORE_INVALID_ARGUMENT`. A
 * malformed stream (already released, lacking `get_schema` or `get_next`, a callback
 * returning an error code, not a stream of record batches, arrays that fail validation or
 * do not match the schema) gives `LEADCORE_INVALID_INPUT` with the producer's message
 * (`get_last_error`) when it has one; so do bad leads JSON, duplicate lead ids, a missing
 * `lead_id`, `kind` or `at` column, an unknown attribute column, a column of a wrong Arrow
 * type, and a null `at`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `leads_json` is NULL or points to `leads_len`
 * readable bytes; `events` is NULL or points to a readable and
 * writable `struct ArrowArrayStream` whose callbacks, when set, follow the Arrow C stream
 * interface (the library calls them from this thread during the call only);
 * `scores_out` is NULL or valid for writing a `struct ArrowArrayStream`; `row_errors_out`
 * is NULL or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a
 * pointer.
 */
leadcore_status leadcore_score_arrow(const struct leadcore_playbook *playbook,
                                     const uint8_t *leads_json,
                                     size_t leads_len,
                                     struct ArrowArrayStream *events,
                                     int64_t now_unix_s,
                                     struct ArrowArrayStream *scores_out,
                                     struct leadcore_buf *row_errors_out,
                                     struct leadcore_error **err);

/**
 * `leadcore_score_arrow` with the leads given as an Arrow C stream too: no JSON to parse
 * when the host holds its leads as Arrow data.
 *
 * `leads` is a stream of record batches, one row per lead, as the Python door's leads
 * tables: `lead_id` (or `id`, not both; strings: utf8, large_utf8, utf8_view or a
 * dictionary of them, or integers of any width, no nulls) and any fit attribute columns by
 * their flat field names (`employees`, `users`, `title`, `channel`, `created_at`, ...,
 * and the playbook's declared custom fields by name; strings, integers, floats, booleans,
 * dates, timestamps of any unit, integers in a date-time field as Unix seconds; nulls are
 * absent values). A column that is no lead field is refused, naming the closest one.
 * `events`, `now_unix_s` and the outputs are those of `leadcore_score_arrow`: the same
 * scores and the same row errors as `leadcore_score_arrow` given the same leads as JSON
 * (an event's `lead_id` matched to a lead's id, an integer to the lead whose id is its
 * decimal text), one row per lead in the order of the leads stream. The `lead_id` column
 * of `*scores_out` is utf8 for text ids and the leads' own integer type for integer ids.
 * Leads of nothing but an int64 `lead_id`, with int64 event ids, are scored with no lead
 * record made: the fast path for behaviour-only models.
 *
 * Ownership of `leads` and `events`: each that is not NULL is taken over whatever the call
 * returns, as `leadcore_score_arrow` takes `events` (both are taken before any argument
 * is checked): `release` becomes NULL in the caller's struct and the producer's `release`
 * callback runs exactly once before the call returns, also on failure, also when the
 * other stream is NULL or malformed. Every array of `leads` is validated in full before
 * it is read; `events` as in `leadcore_score_arrow`.
 *
 * Errors: a NULL `leads`, `events`, `scores_out` or `row_errors_out`, or NULL `playbook`,
 * gives `LEADCORE_NULL_ARGUMENT`; a `now_unix_s` out of range
 * `LEADCORE_INVALID_ARGUMENT`. A malformed stream of either (as `leadcore_score_arrow`
 * says; the message names `leads` or `events`), duplicate lead ids, no `lead_id` (or
 * `id`) column, a null lead id, both an `id` and a `lead_id` column, a leads column that
 * is no lead field or holds values its field cannot (text in `employees`), and the
 * events' errors of `leadcore_score_arrow` give `LEADCORE_INVALID_INPUT`. On failure `*scores_out` and `*row_errors_out` are left as
 * they were.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `leads` and `events` are each NULL or point to a
 * readable and writable `struct ArrowArrayStream` (two distinct structs) whose callbacks,
 * when set, follow the Arrow C stream interface (the library calls them from this thread
 * during the call only); `scores_out` is NULL or valid for writing a
 * `struct ArrowArrayStream`; `row_errors_out` is NULL or valid for writing a
 * `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_score_arrow_leads(const struct leadcore_playbook *playbook,
                                           struct ArrowArrayStream *leads,
                                           struct ArrowArrayStream *events,
                                           int64_t now_unix_s,
                                           struct ArrowArrayStream *scores_out,
                                           struct leadcore_buf *row_errors_out,
                                           struct leadcore_error **err);

/**
 * Frees a buffer's bytes and zeroes it (`data = NULL`, `len = 0`). NULL and a zeroed buffer
 * are no-ops, so freeing twice through the same `leadcore_buf` is harmless.
 *
 * # Safety
 * `buf` is NULL or points to a `leadcore_buf` that is zeroed or was filled by this library
 * and not modified since.
 */
void leadcore_buf_free(struct leadcore_buf *buf);

/**
 * The status of an error (one of the `LEADCORE_*` statuses, never `LEADCORE_OK`).
 * Returns `LEADCORE_NULL_ARGUMENT` when `error` is NULL.
 *
 * # Safety
 * `error` is NULL or an error from this library that has not been freed.
 */
leadcore_status leadcore_error_status(const struct leadcore_error *error);

/**
 * The stable machine code of an error, e.g. `"lifecycle.guard_failed"` or
 * `"ffi.null_argument"`: a NUL-terminated static string, never to be freed. Returns `""`
 * when `error` is NULL.
 *
 * # Safety
 * `error` is NULL or an error from this library that has not been freed.
 */
const char *leadcore_error_code(const struct leadcore_error *error);

/**
 * The human-readable message of an error, NUL-terminated UTF-8, valid until the error is
 * freed. Returns `""` when `error` is NULL.
 *
 * # Safety
 * `error` is NULL or an error from this library that has not been freed.
 */
const char *leadcore_error_message(const struct leadcore_error *error);

/**
 * Writes the error's report as canonical JSON into `*out`: the core's error report
 * (`code`, `message` and the details that apply: `issues`, `failed_guards`, `from`, `to`,
 * `why`, `stage`, `pipeline`, `parse`), or `{"code":...,"message":...}` for the `ffi.*`
 * errors.
 *
 * # Safety
 * `error` is NULL or a live error; `out` is NULL or valid for writing a `leadcore_buf`;
 * `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_error_to_json(const struct leadcore_error *error,
                                       struct leadcore_buf *out,
                                       struct leadcore_error **err);

/**
 * Frees an error. NULL is a no-op. The error and the strings it handed out must not be
 * used afterwards.
 *
 * # Safety
 * `error` is NULL or an error from this library that has not been freed yet.
 */
void leadcore_error_free(struct leadcore_error *error);

/**
 * Runs a forecast: the weighted pipeline rolled up per currency, fiscal span and category
 * and, when asked, a seeded Monte Carlo simulation per span. `input_json` is
 * `{"calendar":{"start_month","weeks"?:"4-4-5"|"4-5-4"|"5-4-4","week_start"?},
 * "granularity"?:"period"|"quarter"|"year","categories"?:{"default","stages":{name:
 * category}},"deals":[{"id","amount":{"minor","currency"},"close_date":"YYYY-MM-DD",
 * "stage","probability","category_override"?}],"monte_carlo"?:{"trials","seed",
 * "quotas"?:[{"period":{"year","granularity","index"},"amount":{"minor","currency"}}]}}`
 * (categories: `pipeline`, `best_case`, `commit`, `closed`, `omitted`). On success `*out`
 * receives canonical JSON `{"weighted":[{"currency","period","category","totals":{"count",
 * "amount","weighted"}}],"monte_carlo"?:{"seed","trials","currency","periods":[{"period",
 * "closed","expected","mean","p10","p50","p90","quota"?,"p_reach_quota"?}]}}`. The
 * simulation runs on `threads` threads (0 or 1: the calling thread); its numbers never
 * depend on `threads`. Bad JSON, a negative amount, a probability outside [0, 1], mixed
 * currencies in a simulation or a bad spec give `LEADCORE_INVALID_INPUT`, the message
 * naming the deal at fault.
 *
 * # Safety
 * `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
 * or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_forecast(const uint8_t *input_json,
                                  size_t len,
                                  uint32_t threads,
                                  struct leadcore_buf *out,
                                  struct leadcore_error **err);

/**
 * The forecast of `leadcore_forecast` from a table of open deals handed over as an Arrow C
 * stream, its tables out as streams: for a C host holding Arrow data.
 *
 * `spec_json` is the input of `leadcore_forecast` without the deals (`{"calendar",
 * "granularity"?, "categories"?, "monte_carlo"?}`). `deals` is a stream of record batches
 * with the columns of the Python door's `forecast`: `id` (text, or integers taken as their
 * decimal text), `amount` (integer minor units), `currency` (text), `close_date` (dates,
 * timestamps or `YYYY-MM-DD` text), `stage` (text), `probability` (float in [0, 1]) and
 * optionally `category_override` (text, null for none). Ownership of `deals` moves to the
 * call as in `leadcore_score_arrow`: it is released exactly once, before the call
 * returns, whatever it returns.
 *
 * On success `*weighted_out` receives a stream of one record batch, a row per period,
 * currency and category (`period`, `year`, `granularity`, `index`, `currency`,
 * `category`, `count`, `amount`, `weighted`: the Python door's table), and, when the spec
 * asks for a simulation, `*monte_carlo_out` a stream of one batch, a row per period (the
 * period's columns, `currency`, `closed`, `expected`, `mean`, `p10`, `p50`, `p90`,
 * `quota`, `p_reach_quota`); the caller owns and releases each. Without a simulation `*monte_carlo_out` is left as it
 * was and may be NULL. The simulation runs on `threads` threads (0 or 1: the calling
 * thread); its numbers never depend on `threads`.
 *
 * Errors: a NULL `spec_json`, `deals` or `weighted_out` (or a NULL `monte_carlo_out` with
 * a simulation asked) gives `LEADCORE_NULL_ARGUMENT`; bad spec JSON (or deals in it), a
 * malformed stream, a missing or mistyped column and the errors of `leadcore_forecast`
 * give `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * `spec_json` is NULL or points to `spec_len` readable bytes; `deals` is NULL or points to
 * a readable and writable `struct ArrowArrayStream` whose callbacks, when set, follow the
 * Arrow C stream interface; `weighted_out` and `monte_carlo_out` are NULL or valid for
 * writing a `struct ArrowArrayStream`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_forecast_arrow(const uint8_t *spec_json,
                                        size_t spec_len,
                                        struct ArrowArrayStream *deals,
                                        uint32_t threads,
                                        struct ArrowArrayStream *weighted_out,
                                        struct ArrowArrayStream *monte_carlo_out,
                                        struct leadcore_error **err);

/**
 * Forecasts windows from a deal history: the model (win rate, stage-to-win probabilities,
 * time to close, close-date slips, deals not yet created, season, rate spreads) fitted as
 * of `as_of`, then each window's expectation and seeded distribution. `input_json` is
 * `{"deals":[{"id","owner"?,"amount":{"minor","currency"},"created":"YYYY-MM-DD",
 * "outcome"?:{"date","won","value"},"expected_close"?:"YYYY-MM-DD","stages"?:[{"stage",
 * "entered"}]}],"as_of","windows":[{"from","to"}],"model"?:{"trailing_days","block_days",
 * "blocks","min_block_closes","max_age_days","new_deals","rate_spread","seasonality",
 * "stage_prior","min_stage_closes","min_slips"},"calendar"?:{"start_month",..},
 * "trials"?:2000,"seed"?:0}` (window `k` uses `seed + k`). On success `*out` receives
 * canonical JSON `{"model":{"as_of","currency","win_rate","realisation","creation_rate",
 * "season":[3],"spreads":{"win","creation"},"closed":{"won","total"},"stages":[{"stage",
 * "closed","won","open","raw"?,"probability","own_timing"}],"slips"?:{"count","used",
 * "mean_days","p10","p25","p50","p75","p90"}},"windows":[{"from","to","expected",
 * "from_pipeline","from_new_deals","season","mean","p10","p50","p90"}]}`. Bad JSON, a
 * close or an expected close before the creation, a stage visit out of order, before the
 * creation or after the close, mixed currencies, nothing closed before `as_of`, a bad
 * window (`windows[k]: ..`) give `LEADCORE_INVALID_INPUT`, the message naming the deal at
 * fault.
 *
 * # Safety
 * `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
 * or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_forecast_history(const uint8_t *input_json,
                                          size_t len,
                                          struct leadcore_buf *out,
                                          struct leadcore_error **err);

/**
 * Backtests the forecast methods (`fixed_40`, `win_rate`, `plain_monte_carlo`,
 * `historical`) on a deal history: each as-of date sees only what was known then.
 * `input_json` is `{"deals":[..as for leadcore_forecast_history..],"spec":{"first",
 * "count","window_months","step_months"?:1,"trials"?:2000,"seed"?:0,
 * "fixed_probability"?:0.4,"model"?:{..},"calendar"?:{..}}}`. On success `*out` receives
 * canonical JSON `{"rows":[{"method","as_of","to","actual","point","p10"?,"p50"?,"p90"?}],
 * "scores":[{"method","windows","mape","pinball"?:[3],"covered"?}],"reps":[{"owner",
 * "expected","actual","bias"?}]}`. Errors as for `leadcore_forecast_history`, and a bad
 * spec, give `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * As for `leadcore_forecast_history`.
 */
leadcore_status leadcore_forecast_backtest(const uint8_t *input_json,
                                           size_t len,
                                           struct leadcore_buf *out,
                                           struct leadcore_error **err);

/**
 * Rolls the weighted pipeline up a reporting hierarchy. `input_json` is
 * `{"hierarchy":[{"node","parent"?}],"calendar":{"start_month",..},"granularity"?,
 * "categories"?,"deals":[{"owner","deal":{..a leadcore_forecast deal..}}],"quotas"?:
 * [{"node","period":{"year","granularity","index"},"amount":{"minor","currency"}}],
 * "quota_mode"?:"given_only"|"sum_children"}`. On success `*out` receives canonical JSON
 * `{"cells":[{"node","parent"?,"depth","currency","period","category","own":{"count",
 * "amount","weighted"},"total":{..}}],"spans":[{"node","parent"?,"depth","period",
 * "currency","cumulative":{"closed","commit","best_case","pipeline"},"quota"?,
 * "attainment"?,"coverage"?}]}`. A bad hierarchy (a cycle, an unknown parent, a repeated
 * node) gives `LEADCORE_PLAYBOOK_INVALID` with every issue located at
 * `hierarchy[i].node`/`.parent`; bad JSON, a deal's error, an owner or quota node not in
 * the hierarchy, mixed currencies under a quota give `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * As for `leadcore_forecast_history`.
 */
leadcore_status leadcore_forecast_rollup(const uint8_t *input_json,
                                         size_t len,
                                         struct leadcore_buf *out,
                                         struct leadcore_error **err);

/**
 * Computes the funnel of `pipeline` over `states_len` record states at `now_ms` (Unix
 * epoch milliseconds UTC) and writes it into `*out` as canonical JSON:
 * `{"pipeline","records","skipped","stages":[{"stage","kind","reached","entered","current",
 * "conversion_to_next","mean_dwell_seconds"}]}`. `reached` counts records whose highest
 * stage is that one or later (recycling never lowers it); states of another pipeline are
 * counted in `skipped`. An unknown pipeline gives `LEADCORE_UNKNOWN_PIPELINE`; a NULL entry
 * in `states` gives `LEADCORE_NULL_ARGUMENT`; a state whose history the pipeline could not
 * have produced gives `LEADCORE_INVALID_HISTORY` (or `LEADCORE_INVALID_INPUT` for a forged
 * highest stage), and `now` before a record's last move `LEADCORE_TIME_WENT_BACKWARDS`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `pipeline` is NULL (with `pipeline_len == 0`) or
 * points to that many readable bytes; `states` is NULL (with `states_len == 0`) or points to
 * `states_len` pointers, each NULL or a live state not being moved by another thread; `out`
 * is NULL or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a
 * pointer.
 */
leadcore_status leadcore_funnel(const struct leadcore_playbook *playbook,
                                const uint8_t *pipeline,
                                size_t pipeline_len,
                                const struct leadcore_state *const *states,
                                size_t states_len,
                                int64_t now_ms,
                                struct leadcore_buf *out,
                                struct leadcore_error **err);

/**
 * Parses and validates playbook text. On success `*out` receives a new playbook to free
 * with `leadcore_playbook_free`. Malformed text gives `LEADCORE_PLAYBOOK_PARSE` (the JSON
 * report's `parse` says where); a playbook that breaks rules gives
 * `LEADCORE_PLAYBOOK_INVALID` with every issue in the report's `issues`.
 *
 * # Safety
 * `text` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL or
 * valid for writing a pointer; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_playbook_parse(leadcore_format format,
                                        const uint8_t *text,
                                        size_t len,
                                        struct leadcore_playbook **out,
                                        struct leadcore_error **err);

/**
 * The default playbook shipped with leadcore (the recommended lead lifecycle and an
 * example deal pipeline). `*out` receives a new playbook to free with
 * `leadcore_playbook_free`.
 *
 * # Safety
 * `out` is NULL or valid for writing a pointer; `err` is NULL or valid for writing a
 * pointer.
 */
leadcore_status leadcore_playbook_default(struct leadcore_playbook **out,
                                          struct leadcore_error **err);

/**
 * Writes the playbook as canonical JSON into `*out`; the text loads back (format
 * `LEADCORE_FORMAT_JSON`) to an equal playbook.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `out` is NULL or valid for writing a
 * `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_playbook_to_json(const struct leadcore_playbook *playbook,
                                          struct leadcore_buf *out,
                                          struct leadcore_error **err);

/**
 * Frees a playbook. NULL is a no-op. No call may be using it, on any thread.
 *
 * # Safety
 * `playbook` is NULL or a playbook from this library that has not been freed yet.
 */
void leadcore_playbook_free(struct leadcore_playbook *playbook);

/**
 * Runs Odoo's predictive lead scoring once. `input_json` is `{"config":{"stages":[{"id",
 * "sequence","won"?}],"fields":[..],..},"train":[records]or"table":{..},"live":[..],
 * "writes":[..],"semantics":"won_status"|"legacy","score":[records],"explain"?,
 * "show_table"?}`. On success `*out` receives the canonical JSON of the result:
 * `{"predictions":[{"id","probability"(percent, or null without history),
 * "explanation"?}],"writes":[..],"table"?:[..]}`. Bad JSON or a bad configuration gives
 * `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
 * or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_odoo_score(const uint8_t *input_json,
                                    size_t len,
                                    struct leadcore_buf *out,
                                    struct leadcore_error **err);

/**
 * Trains a `logistic` model. `config_json` is the configuration
 * (`{"features":[{"name","kind":"categorical"|"numeric",..}],"l2"?,"group"?,
 * "calibration"?:"platt"|"isotonic"|"none","folds"?,"seed"?,..}`); `frame_json` the
 * training frame (see `leadcore_logistic`); `won` holds one outcome per row (1 won, 0
 * lost) and `rows` must be the frame's row count. `*out` receives a new model to free
 * with `leadcore_logistic_free`. A bad configuration, an empty frame, outcomes all won or
 * all lost, a missing column or a value of the wrong type give `LEADCORE_INVALID_INPUT`;
 * a `won` entry other than 0 or 1 `LEADCORE_INVALID_ARGUMENT`.
 *
 * # Safety
 * `config_json` and `frame_json` are NULL (with a length of 0) or point to that many
 * readable bytes; `won` is NULL (with `rows == 0`) or points to `rows` readable bytes;
 * `out` and `err` are NULL or valid for writing a pointer.
 */
leadcore_status leadcore_logistic_fit(const uint8_t *config_json,
                                      size_t config_len,
                                      const uint8_t *frame_json,
                                      size_t frame_len,
                                      const uint8_t *won,
                                      size_t rows,
                                      struct leadcore_logistic **out,
                                      struct leadcore_error **err);

/**
 * Scores a frame: `out[i]` receives row `i`'s calibrated probability of winning (0 to 1,
 * never NaN). `rows` must be the frame's row count (`LEADCORE_INVALID_ARGUMENT`
 * otherwise). A missing column or a value of the wrong type gives
 * `LEADCORE_INVALID_INPUT`. Nothing is written on failure.
 *
 * # Safety
 * `model` is NULL or a live model; `frame_json` is NULL (with `len == 0`) or points to
 * `len` readable bytes; `out` is NULL (with `rows == 0`) or valid for writing `rows`
 * doubles; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_logistic_predict(const struct leadcore_logistic *model,
                                          const uint8_t *frame_json,
                                          size_t len,
                                          double *out,
                                          size_t rows,
                                          struct leadcore_error **err);

/**
 * As `leadcore_logistic_predict`, but `out[i]` receives row `i`'s logit (log-odds before
 * calibration): the sum of its explanation's intercept and contributions.
 *
 * # Safety
 * As `leadcore_logistic_predict`.
 */
leadcore_status leadcore_logistic_predict_logits(const struct leadcore_logistic *model,
                                                 const uint8_t *frame_json,
                                                 size_t len,
                                                 double *out,
                                                 size_t rows,
                                                 struct leadcore_error **err);

/**
 * Explains every row of a frame. On success `*out` receives the canonical JSON array of
 * explanations, one per row: `{"intercept","contributions":[{"feature","value","logit"}],
 * "logit","raw_probability","probability"}`, where `intercept` plus the contributions in
 * order is `logit` exactly.
 *
 * # Safety
 * `model` is NULL or a live model; `frame_json` is NULL (with `len == 0`) or points to
 * `len` readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is NULL
 * or valid for writing a pointer.
 */
leadcore_status leadcore_logistic_explain(const struct leadcore_logistic *model,
                                          const uint8_t *frame_json,
                                          size_t len,
                                          struct leadcore_buf *out,
                                          struct leadcore_error **err);

/**
 * Writes the model as JSON bytes into `*out` (versioned, `schema_version`), for the host
 * to store; `leadcore_logistic_from_json` reads them back to a model that scores
 * identically.
 *
 * # Safety
 * `model` is NULL or a live model; `out` is NULL or valid for writing a `leadcore_buf`;
 * `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_logistic_to_json(const struct leadcore_logistic *model,
                                          struct leadcore_buf *out,
                                          struct leadcore_error **err);

/**
 * Reads a model from the bytes `leadcore_logistic_to_json` wrote. Another
 * `schema_version` gives `LEADCORE_UNSUPPORTED_VERSION`; bad JSON or an inconsistent model
 * `LEADCORE_INVALID_INPUT`. `*out` receives a new model to free with
 * `leadcore_logistic_free`.
 *
 * # Safety
 * `json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` and `err` are
 * NULL or valid for writing a pointer.
 */
leadcore_status leadcore_logistic_from_json(const uint8_t *json,
                                            size_t len,
                                            struct leadcore_logistic **out,
                                            struct leadcore_error **err);

/**
 * Frees a model. NULL is a no-op.
 *
 * # Safety
 * `model` is NULL or a model from this library that has not been freed yet.
 */
void leadcore_logistic_free(struct leadcore_logistic *model);

/**
 * A fresh routing state (no lead assigned yet) for the playbook's routing rules. `*out`
 * receives a new state to free with `leadcore_routing_state_free`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `out` and `err` are NULL or valid for writing a
 * pointer.
 */
leadcore_status leadcore_routing_state_new(const struct leadcore_playbook *playbook,
                                           struct leadcore_routing_state **out,
                                           struct leadcore_error **err);

/**
 * Reads a routing state from its JSON (as written by `leadcore_routing_state_to_json`, or
 * by the host: `{"schema_version":1,"reps":{"B":{"open_leads":12,"win_rate":0.3}},
 * "account_owners":{..},"domain_owners":{..}}`). Another `schema_version` gives
 * `LEADCORE_UNSUPPORTED_VERSION`; a win rate outside 0..1, bad JSON or an unknown field
 * gives `LEADCORE_INVALID_INPUT`. `*out` receives a new state to free with
 * `leadcore_routing_state_free`.
 *
 * # Safety
 * `json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` and `err` are
 * NULL or valid for writing a pointer.
 */
leadcore_status leadcore_routing_state_from_json(const uint8_t *json,
                                                 size_t len,
                                                 struct leadcore_routing_state **out,
                                                 struct leadcore_error **err);

/**
 * Writes the state as canonical JSON into `*out`, for the host to store; it reads back
 * with `leadcore_routing_state_from_json` to an equal state.
 *
 * # Safety
 * `state` is NULL or a live routing state; `out` is NULL or valid for writing a
 * `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_routing_state_to_json(const struct leadcore_routing_state *state,
                                               struct leadcore_buf *out,
                                               struct leadcore_error **err);

/**
 * Routes one lead and records the assignment in the state (the rep's counters, the
 * round-robin position). `input_json` is `{"lead":{..},"now":"<RFC 3339>","scores":{"lead":
 * 82}}` (`scores`, by model name, may be left out). On success `*out` receives the
 * canonical JSON of the decision: `{"lead_id","at","assignee":{"rep":"B"}or{"queue":..},
 * "rule"?,"unassigned"?:{"code","message"},"trace":[..],"actions"?:[..]}`. On failure the
 * state is unchanged: `LEADCORE_INVALID_INPUT` for bad JSON, `LEADCORE_UNSUPPORTED_VERSION`
 * for a state of another format.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `state` is NULL or a live routing state no other
 * thread uses during the call; `input_json` is NULL (with `len == 0`) or points to `len`
 * readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is NULL or
 * valid for writing a pointer.
 */
leadcore_status leadcore_route(const struct leadcore_playbook *playbook,
                               struct leadcore_routing_state *state,
                               const uint8_t *input_json,
                               size_t len,
                               struct leadcore_buf *out,
                               struct leadcore_error **err);

/**
 * Routes many leads in order, exactly as one `leadcore_route` after another (fair within
 * the batch: 1,000 leads over 3 equal reps give 334/333/333). `input_json` is
 * `{"leads":[{..},..],"now":"<RFC 3339>"}`. On success the state records every assignment
 * and `*out` receives the canonical JSON array of decisions, one per lead in order. On
 * failure nothing is assigned and the state is unchanged.
 *
 * # Safety
 * As `leadcore_route`.
 */
leadcore_status leadcore_route_batch(const struct leadcore_playbook *playbook,
                                     struct leadcore_routing_state *state,
                                     const uint8_t *input_json,
                                     size_t len,
                                     struct leadcore_buf *out,
                                     struct leadcore_error **err);

/**
 * The names the index columns of `leadcore_route_columns` point into, as canonical JSON in
 * `*out`: `{"queues":[..],"reps":[..],"rules":[..]}` (reps in declaration order, queues as
 * declared then the unassignable queue when undeclared, rules in chain order).
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `out` is NULL or valid for writing a
 * `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_routing_names(const struct leadcore_playbook *playbook,
                                       struct leadcore_buf *out,
                                       struct leadcore_error **err);

/**
 * Routes many leads in order, as `leadcore_route_batch` does (the same assignments, the
 * same state after), without the trace: who got each lead as columns of indexes, the fast
 * path. `leads_json` is a JSON array of leads; `rows` must equal its length
 * (`LEADCORE_INVALID_ARGUMENT` otherwise). On failure nothing is assigned, the state is
 * unchanged and nothing is written.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `state` is NULL or a live routing state no other
 * thread uses during the call; `leads_json` is NULL (with `len == 0`) or points to `len`
 * readable bytes; `out` is NULL or points to a `leadcore_assignments_out` whose non-NULL
 * arrays are valid for writing `rows` entries and overlap nothing else; `err` is NULL or
 * valid for writing a pointer.
 */
leadcore_status leadcore_route_columns(const struct leadcore_playbook *playbook,
                                       struct leadcore_routing_state *state,
                                       const uint8_t *leads_json,
                                       size_t len,
                                       int64_t now_unix_s,
                                       const struct leadcore_assignments_out *out,
                                       size_t rows,
                                       struct leadcore_error **err);

/**
 * Frees a routing state. NULL is a no-op.
 *
 * # Safety
 * `state` is NULL or a routing state from this library that has not been freed yet.
 */
void leadcore_routing_state_free(struct leadcore_routing_state *state);

/**
 * Scores one lead from its activities. `input_json` is
 * `{"lead":{..},"activities":[..],"now":"<RFC 3339>","explain":false}` (`activities` and
 * `explain` may be left out). On success `*card_out` receives the canonical JSON of the
 * score card: `{"lead_id","at","hot","zombie"?,"models":[{"model","score","grade"?,
 * "rules":[..],"adjustments"?:[..]}]}`, each rule with its contributing events when
 * `explain` is true. An activity after `now` beyond the playbook's tolerance gives
 * `LEADCORE_BAD_EVENT` (the report's `reason` is `in_future`); an activity lacking an
 * attribute simply does not match the rules that compare it; bad JSON gives
 * `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `input_json` is NULL (with `len == 0`) or points
 * to `len` readable bytes; `card_out` is NULL or valid for writing a `leadcore_buf`; `err`
 * is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_score(const struct leadcore_playbook *playbook,
                               const uint8_t *input_json,
                               size_t len,
                               struct leadcore_buf *card_out,
                               struct leadcore_error **err);

/**
 * Scores a batch given as a JSON event table: `input_json` is
 * `{"leads":[{..}],"events":{"lead_id":[..],"kind":[..],"at":[Unix seconds],"page"?:[..],
 * "seconds"?:[..],"campaign"?:[..],"form_id"?:[..],"content_id"?:[..]},"now":"<RFC 3339>"}`
 * with `null` for a missing value in the optional columns. On success `*out` receives
 * `{"models":[..],"scores":[..],"grades":[..],"row_errors":[{"row","reason","message"}]}`
 * where `scores` and `grades` are lead-major (`scores[lead * models + model]`). Rows the
 * engine cannot use (an unknown lead id, an event after `now` beyond the tolerance, a kind
 * outside its dictionary) are listed in `row_errors` and the rest of the batch
 * is scored. Columns of different lengths, duplicate lead ids or bad JSON give
 * `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `input_json` is NULL (with `len == 0`) or points
 * to `len` readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is
 * NULL or valid for writing a pointer.
 */
leadcore_status leadcore_score_table(const struct leadcore_playbook *playbook,
                                     const uint8_t *input_json,
                                     size_t len,
                                     struct leadcore_buf *out,
                                     struct leadcore_error **err);

/**
 * Scores a batch given as C arrays: the columnar fast path. `leads_json` is a JSON array
 * of the leads (`[{"id":"A","firmographics":{..},"custom":{..}}, ..]`, what fit rules
 * read); `events` holds the activities as columns (see `leadcore_event_columns`);
 * `now_unix_s` is the scoring time in Unix seconds UTC. On success `scores_out[lead *
 * models + model]` receives every lead's score in every model (models in the order of
 * `leadcore_scoring_model_names`), and `*row_errors_out` the canonical JSON array of the
 * rows that were not counted, `[{"message","reason","row"}]` with `reason` one of
 * `unknown_lead` (a lead index out of range), `invalid_time` (a time no instant has),
 * `in_future` (after `now` beyond the playbook's tolerance) and `bad_value` (a kind code
 * outside its dictionary); a missing attribute is no row error (it matches no comparison). Gives exactly the scores of `leadcore_score_table` and `leadcore_score` for the
 * same data.
 *
 * `scores_len` must equal the number of leads times `leadcore_scoring_model_count`
 * (`LEADCORE_INVALID_ARGUMENT` otherwise; `scores_out` may be NULL when that is 0).
 * Dictionary strings are copied once per call, not per row. A `now_unix_s` chrono cannot
 * represent gives `LEADCORE_INVALID_ARGUMENT`. Bad leads JSON or duplicate
 * lead ids give `LEADCORE_INVALID_INPUT`; a NULL required column with `rows > 0` gives
 * `LEADCORE_NULL_ARGUMENT`; a code outside its dictionary `LEADCORE_INVALID_ARGUMENT`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `leads_json` is NULL (with `leads_len == 0`) or
 * points to `leads_len` readable bytes; `events` is NULL or points to a
 * `leadcore_event_columns` whose non-NULL arrays hold `rows` entries (dictionaries
 * `dictionary_len`); `scores_out` is NULL or valid for writing `scores_len` doubles;
 * `row_errors_out` is NULL or valid for writing a `leadcore_buf`; `err` is NULL or valid
 * for writing a pointer.
 */
leadcore_status leadcore_score_columns(const struct leadcore_playbook *playbook,
                                       const uint8_t *leads_json,
                                       size_t leads_len,
                                       const struct leadcore_event_columns *events,
                                       int64_t now_unix_s,
                                       double *scores_out,
                                       size_t scores_len,
                                       struct leadcore_buf *row_errors_out,
                                       struct leadcore_error **err);

/**
 * The number of score models the playbook declares (0 for a playbook without scoring, or
 * when `playbook` is NULL): the row width of `leadcore_score_columns`' `scores_out`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook.
 */
size_t leadcore_scoring_model_count(const struct leadcore_playbook *playbook);

/**
 * Writes the playbook's score model names into `*out` as a canonical JSON array of
 * strings, in declaration order: the column order of `leadcore_score_columns`'
 * `scores_out` and of the `models` of a batch result.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `out` is NULL or valid for writing a
 * `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_scoring_model_names(const struct leadcore_playbook *playbook,
                                             struct leadcore_buf *out,
                                             struct leadcore_error **err);

/**
 * An empty score state for the lead `lead_id` under the playbook's scoring rules. `*out`
 * receives a new state to free with `leadcore_score_state_free`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `lead_id` is NULL (with `lead_id_len == 0`) or
 * points to `lead_id_len` readable bytes; `out` and `err` are NULL or valid for writing a
 * pointer.
 */
leadcore_status leadcore_score_state_new(const struct leadcore_playbook *playbook,
                                         const uint8_t *lead_id,
                                         size_t lead_id_len,
                                         struct leadcore_score_state **out,
                                         struct leadcore_error **err);

/**
 * Reads a score state from its JSON (as written by `leadcore_score_state_to_json`) and
 * checks it against the playbook's scoring rules: another `schema_version` gives
 * `LEADCORE_UNSUPPORTED_VERSION`; a state made with other rules, times out of order or
 * out of range, bad JSON or an unknown field gives `LEADCORE_INVALID_INPUT`. `*out` receives a new state to free with
 * `leadcore_score_state_free`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `json` is NULL (with `len == 0`) or points to
 * `len` readable bytes; `out` and `err` are NULL or valid for writing a pointer.
 */
leadcore_status leadcore_score_state_from_json(const struct leadcore_playbook *playbook,
                                               const uint8_t *json,
                                               size_t len,
                                               struct leadcore_score_state **out,
                                               struct leadcore_error **err);

/**
 * Writes the state as canonical JSON into `*out`, for the host to store; it reads back
 * with `leadcore_score_state_from_json` to an equal state.
 *
 * # Safety
 * `state` is NULL or a live score state; `out` is NULL or valid for writing a
 * `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_score_state_to_json(const struct leadcore_score_state *state,
                                             struct leadcore_buf *out,
                                             struct leadcore_error **err);

/**
 * Records one activity event in the state, typed (no JSON), without checking thresholds:
 * the fast path for feeding a lead's events. `now_unix_s` is the current time in Unix
 * seconds UTC; events up to `now` count, later ones never do. An event after `now` beyond
 * the playbook's tolerance gives `LEADCORE_BAD_EVENT` (report `reason`: `in_future`); a
 * missing attribute is no bad event (it matches no comparison); a time chrono
 * cannot represent or `seconds` above `UINT32_MAX` gives `LEADCORE_INVALID_ARGUMENT`; a
 * state made with other rules `LEADCORE_INVALID_INPUT`. On failure the state is unchanged.
 * Events may arrive in any order (O(1) amortised in time order). Call
 * `leadcore_score_state_check_thresholds` afterwards to get threshold crossings.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `state` is NULL or a live score state no other
 * thread uses during the call; `event` is NULL or points to a `leadcore_event` whose
 * strings are NULL or valid for their lengths; `err` is NULL or valid for writing a
 * pointer.
 */
leadcore_status leadcore_score_state_record(const struct leadcore_playbook *playbook,
                                            struct leadcore_score_state *state,
                                            const struct leadcore_event *event,
                                            int64_t now_unix_s,
                                            struct leadcore_error **err);

/**
 * Records one activity and checks thresholds and hotness at `now`: the incremental path
 * with signals. `input_json` is `{"lead":{..},"activity":{"kind","at",..},"now":"<RFC
 * 3339>"}`. On success the state is updated and `*signals_out` receives the canonical JSON
 * array of signals (`{"signal":"threshold","model","threshold","direction","score","at",
 * "actions"}`, `{"signal":"hot","at"}`), often `[]`. On failure the state is unchanged:
 * `LEADCORE_BAD_EVENT` for an unusable event, `LEADCORE_TIME_WENT_BACKWARDS` for a `now`
 * before the last check, `LEADCORE_INVALID_INPUT` for bad JSON.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `state` is NULL or a live score state no other
 * thread uses during the call; `input_json` is NULL (with `len == 0`) or points to `len`
 * readable bytes; `signals_out` is NULL or valid for writing a `leadcore_buf`; `err` is
 * NULL or valid for writing a pointer.
 */
leadcore_status leadcore_score_state_apply(const struct leadcore_playbook *playbook,
                                           struct leadcore_score_state *state,
                                           const uint8_t *input_json,
                                           size_t len,
                                           struct leadcore_buf *signals_out,
                                           struct leadcore_error **err);

/**
 * Checks thresholds and hotness at `now` without a new event (decay can carry a score
 * across a threshold between events; call it after `leadcore_score_state_record`).
 * `input_json` is `{"lead":{..},"now":"<RFC 3339>"}`. On success the state's threshold
 * positions are updated and `*signals_out` receives the canonical JSON array of threshold
 * signals, as for `leadcore_score_state_apply`. On failure the state is unchanged.
 *
 * # Safety
 * As `leadcore_score_state_apply`.
 */
leadcore_status leadcore_score_state_check_thresholds(const struct leadcore_playbook *playbook,
                                                      struct leadcore_score_state *state,
                                                      const uint8_t *input_json,
                                                      size_t len,
                                                      struct leadcore_buf *signals_out,
                                                      struct leadcore_error **err);

/**
 * The score card of the state at `now`. `input_json` is
 * `{"lead":{..},"now":"<RFC 3339>","explain":false}` (`explain` may be left out; the lead
 * gives the fit fields). `*out` receives the canonical JSON of the card, as for
 * `leadcore_score`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `state` is NULL or a live score state;
 * `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
 * or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_score_state_card(const struct leadcore_playbook *playbook,
                                          const struct leadcore_score_state *state,
                                          const uint8_t *input_json,
                                          size_t len,
                                          struct leadcore_buf *out,
                                          struct leadcore_error **err);

/**
 * When the state's score in one model crosses a threshold if no new activity arrives:
 * `input_json` is `{"lead":{..},"model":"engagement","threshold":50,"now":"<RFC 3339>",
 * "horizon_days":30}`. `*out` receives the canonical JSON of the first crossing time in
 * `(now, now + horizon]`, a string `"2026-04-01T09:05:00Z"`, or `null` when it does not
 * cross within the horizon. An unknown model, a non-finite threshold, a horizon out of
 * range or bad JSON gives `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * As `leadcore_score_state_card`.
 */
leadcore_status leadcore_score_state_predict(const struct leadcore_playbook *playbook,
                                             const struct leadcore_score_state *state,
                                             const uint8_t *input_json,
                                             size_t len,
                                             struct leadcore_buf *out,
                                             struct leadcore_error **err);

/**
 * Frees a score state. NULL is a no-op.
 *
 * # Safety
 * `state` is NULL or a score state from this library that has not been freed yet.
 */
void leadcore_score_state_free(struct leadcore_score_state *state);

/**
 * Every SLA policy's status for one lead. `input_json` is `{"lead":{..},"activities":[..],
 * "stages":[{"at","stage"}],"now":"<RFC 3339>"}` (`activities` and `stages` may be left
 * out). On success `*out` receives the canonical JSON array of statuses, one per policy:
 * `{"lead_id","policy","status","started_at"?,"stopped_at"?,"deadline"?,"elapsed_seconds",
 * "remaining_seconds","next_change"?,"escalation","actions"?}`. Bad JSON gives
 * `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `input_json` is NULL (with `len == 0`) or points
 * to `len` readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is
 * NULL or valid for writing a pointer.
 */
leadcore_status leadcore_sla_status(const struct leadcore_playbook *playbook,
                                    const uint8_t *input_json,
                                    size_t len,
                                    struct leadcore_buf *out,
                                    struct leadcore_error **err);

/**
 * Reads one policy's clocks at `now_unix_s`, many at once: the columnar path of
 * `leadcore_sla_status` (the same numbers row by row). On success every non-NULL array of
 * `*out` receives `clocks->rows` entries. An unknown `policy` gives
 * `LEADCORE_INVALID_INPUT`; a NULL `started_at` with `rows > 0` `LEADCORE_NULL_ARGUMENT`;
 * a `now_unix_s` out of range `LEADCORE_INVALID_ARGUMENT`. Nothing is written on failure.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `policy` follows the `leadcore_str` rules;
 * `clocks` is NULL or points to a `leadcore_sla_clocks` whose non-NULL arrays hold `rows`
 * entries; `out` is NULL or points to a `leadcore_sla_board_out` whose non-NULL arrays are
 * valid for writing `rows` entries and overlap nothing else; `err` is NULL or valid for
 * writing a pointer.
 */
leadcore_status leadcore_sla_board(const struct leadcore_playbook *playbook,
                                   struct leadcore_str policy,
                                   const struct leadcore_sla_clocks *clocks,
                                   int64_t now_unix_s,
                                   const struct leadcore_sla_board_out *out,
                                   struct leadcore_error **err);

/**
 * The name of an SLA state code (`"due_soon"` for 3), a static NUL-terminated string;
 * NULL for a code with no state.
 */
const char *leadcore_sla_state_name(uint8_t code);

/**
 * Starts a record from a JSON `StartInput`,
 * `{"pipeline":"lead","record_id":"L-1","now":"2026-01-05T09:00:00Z"}`, in the pipeline's
 * initial stage. `*out` receives a new state to free with `leadcore_state_free`. Bad JSON
 * gives `LEADCORE_INVALID_INPUT`; an unknown pipeline `LEADCORE_UNKNOWN_PIPELINE`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `start_json` is NULL (with `len == 0`) or points
 * to `len` readable bytes; `out` and `err` are NULL or valid for writing a pointer.
 */
leadcore_status leadcore_state_start(const struct leadcore_playbook *playbook,
                                     const uint8_t *start_json,
                                     size_t len,
                                     struct leadcore_state **out,
                                     struct leadcore_error **err);

/**
 * Starts a record in a pipeline's initial stage at `now_ms` (Unix epoch milliseconds UTC):
 * the typed form of `leadcore_state_start`. `*out` receives a new state to free with
 * `leadcore_state_free`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `pipeline` and `record_id` are NULL (with length
 * 0) or point to that many readable bytes; `out` and `err` are NULL or valid for writing a
 * pointer.
 */
leadcore_status leadcore_state_new(const struct leadcore_playbook *playbook,
                                   const uint8_t *pipeline,
                                   size_t pipeline_len,
                                   const uint8_t *record_id,
                                   size_t record_id_len,
                                   int64_t now_ms,
                                   struct leadcore_state **out,
                                   struct leadcore_error **err);

/**
 * Reads a state from its JSON (as written by `leadcore_state_to_json`), checking its
 * `schema_version` (`LEADCORE_UNSUPPORTED_VERSION`) and its consistency
 * (`LEADCORE_INVALID_INPUT`). `*out` receives a new state to free with
 * `leadcore_state_free`.
 *
 * # Safety
 * `json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` and `err` are
 * NULL or valid for writing a pointer.
 */
leadcore_status leadcore_state_from_json(const uint8_t *json,
                                         size_t len,
                                         struct leadcore_state **out,
                                         struct leadcore_error **err);

/**
 * Rebuilds a record from its history, from a JSON `ReplayInput`:
 * `{"pipeline":"lead","record_id":"L-1","history":[{"at","from","to","actor"?,"reason"?},..],
 * "trust_history"?:false}`. Every entry is checked against the pipeline first: the first
 * must start in the initial stage, each later one must leave the current stage by a
 * declared move (or an allowed back-move), never backwards in time, with the reason and
 * actor role the playbook requires. A bad history gives `LEADCORE_INVALID_HISTORY`, the
 * JSON report listing every bad entry in `entries` (`index`, `code`, `message`). With
 * `"trust_history":true` (imported data) reasons and actor roles are not checked and the
 * first entry may enter any stage; unknown stages and undeclared moves are still refused.
 * Guards on fields, activities and scores cannot be checked again from a history. An
 * empty history or bad JSON gives `LEADCORE_INVALID_INPUT`. `*out` receives a new state to
 * free with `leadcore_state_free`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `replay_json` is NULL (with `len == 0`) or points
 * to `len` readable bytes; `out` and `err` are NULL or valid for writing a pointer.
 */
leadcore_status leadcore_state_replay(const struct leadcore_playbook *playbook,
                                      const uint8_t *replay_json,
                                      size_t len,
                                      struct leadcore_state **out,
                                      struct leadcore_error **err);

/**
 * Writes the state as canonical JSON into `*out`, for the host to store; it reads back
 * with `leadcore_state_from_json` to an equal state.
 *
 * # Safety
 * `state` is NULL or a live state; `out` is NULL or valid for writing a `leadcore_buf`;
 * `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_state_to_json(const struct leadcore_state *state,
                                       struct leadcore_buf *out,
                                       struct leadcore_error **err);

/**
 * Moves a record. `input_json` is a `TransitionInput`:
 * `{"request":{"to","actor":{"id","role"},"now","reason"?},"subject"?:{"lead":{..}},
 * "activities"?:[..],"scores"?:{..}}`. On success the state is updated and `*outcome`
 * receives the canonical JSON of the outcome (`from`, `to`, `at`, `back_move`, `recycled`,
 * and the `actions` for the host to carry out). On failure the state is unchanged and the
 * error says why (`LEADCORE_GUARD_FAILED` lists every failing guard); bad JSON gives
 * `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * `playbook` is NULL or a live playbook; `state` is NULL or a live state no other thread
 * uses during the call; `input_json` is NULL (with `len == 0`) or points to `len` readable
 * bytes; `outcome` is NULL or valid for writing a `leadcore_buf`; `err` is NULL or valid
 * for writing a pointer.
 */
leadcore_status leadcore_state_transition(const struct leadcore_playbook *playbook,
                                          struct leadcore_state *state,
                                          const uint8_t *input_json,
                                          size_t len,
                                          struct leadcore_buf *outcome,
                                          struct leadcore_error **err);

/**
 * Writes the time the record spent in each stage it visited, up to `now_ms` (Unix epoch
 * milliseconds UTC), into `*out` as a canonical JSON array of
 * `{"seconds","stage","visits"}` in order of first visit. A `now_ms` before the record's
 * last move gives `LEADCORE_TIME_WENT_BACKWARDS`.
 *
 * # Safety
 * `state` is NULL or a live state; `out` is NULL or valid for writing a `leadcore_buf`;
 * `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_state_dwell(const struct leadcore_state *state,
                                     int64_t now_ms,
                                     struct leadcore_buf *out,
                                     struct leadcore_error **err);

/**
 * Frees a state. NULL is a no-op.
 *
 * # Safety
 * `state` is NULL or a state from this library that has not been freed yet.
 */
void leadcore_state_free(struct leadcore_state *state);

/**
 * Parses an RFC 3339 timestamp (`2026-01-05T09:00:00Z`, any offset) into Unix epoch
 * milliseconds UTC in `*out_ms`. Sub-millisecond digits are truncated toward the past.
 * Malformed text gives `LEADCORE_INVALID_INPUT`.
 *
 * # Safety
 * `text` is NULL (with `len == 0`) or points to `len` readable bytes; `out_ms` is NULL or
 * valid for writing an `int64_t`; `err` is NULL or valid for writing a pointer.
 */
leadcore_status leadcore_time_parse_rfc3339(const uint8_t *text,
                                            size_t len,
                                            int64_t *out_ms,
                                            struct leadcore_error **err);

/**
 * The version of the linked library, e.g. `"0.1.0"`: a static NUL-terminated string,
 * never to be freed. Compare with `LEADCORE_VERSION_*` to detect a header/library mismatch.
 */
const char *leadcore_version(void);

/**
 * The version of the linked library as one number, `MAJOR * 10000 + MINOR * 100 + PATCH`
 * (0.1.0 gives 100): compare with `LEADCORE_VERSION_NUMBER` to detect a header/library
 * mismatch, or with a minimum the program needs.
 */
uint32_t leadcore_version_number(void);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* LEADCORE_H */
