//! `leadcore_score_arrow_leads`: the leads as an Arrow C stream give what the same leads as
//! JSON give through `leadcore_score_arrow`, and both streams are released exactly once on
//! every path, counted by a producer that wraps each stream.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{
    ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, LargeStringArray, RecordBatch,
    StringArray,
};
use leadcore_arrow::{FFI_ArrowArrayStream, Table, export_stream};
use leadcore_ffi::*;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const NOW: i64 = 1_767_312_000;
const DAY: i64 = 86_400;

/// `struct ArrowArrayStream` as the Arrow spec lays it out (arrow-rs keeps the fields of its
/// own struct private): what a C producer fills in.
#[repr(C)]
struct RawStream {
    get_schema: Option<unsafe extern "C" fn(*mut RawStream, *mut c_void) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut RawStream, *mut c_void) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut RawStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut RawStream)>,
    private_data: *mut c_void,
}

/// What a counted stream does wrong, if anything.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// No `get_next` callback.
    NoGetNext,
    /// `get_next` fails with EIO and a message.
    FailingGetNext,
}

/// A producer wrapping an exported stream: it counts its releases and may misbehave.
struct Counted {
    inner: RawStream,
    releases: Arc<AtomicUsize>,
}

unsafe fn counted_of(stream: *mut RawStream) -> &'static mut Counted {
    unsafe { &mut *((*stream).private_data as *mut Counted) }
}

unsafe extern "C" fn counted_get_schema(stream: *mut RawStream, out: *mut c_void) -> c_int {
    let c = unsafe { counted_of(stream) };
    unsafe { (c.inner.get_schema.unwrap())(&mut c.inner, out) }
}

unsafe extern "C" fn counted_get_next(stream: *mut RawStream, out: *mut c_void) -> c_int {
    let c = unsafe { counted_of(stream) };
    unsafe { (c.inner.get_next.unwrap())(&mut c.inner, out) }
}

unsafe extern "C" fn failing_get_next(_: *mut RawStream, _: *mut c_void) -> c_int {
    5 // EIO
}

unsafe extern "C" fn failing_last_error(_: *mut RawStream) -> *const c_char {
    c"the leads file is gone".as_ptr()
}

unsafe extern "C" fn counted_release(stream: *mut RawStream) {
    let s = unsafe { &mut *stream };
    let mut c = unsafe { Box::from_raw(s.private_data as *mut Counted) };
    c.releases.fetch_add(1, Ordering::SeqCst);
    if let Some(release) = c.inner.release {
        unsafe { release(&mut c.inner) };
    }
    s.release = None;
    s.private_data = ptr::null_mut();
}

/// A stream of `batch` whose releases are counted in `releases`, misbehaving as `fault`.
fn counted(batch: RecordBatch, releases: &Arc<AtomicUsize>, fault: Fault) -> RawStream {
    let exported = export_stream(batch.schema(), vec![batch]);
    // SAFETY: arrow-rs' struct is `#[repr(C)]`, the Arrow spec's layout.
    let inner: RawStream = unsafe { std::mem::transmute(exported) };
    let private = Box::into_raw(Box::new(Counted {
        inner,
        releases: Arc::clone(releases),
    }));
    RawStream {
        get_schema: Some(counted_get_schema),
        get_next: match fault {
            Fault::None => Some(counted_get_next),
            Fault::NoGetNext => None,
            Fault::FailingGetNext => Some(failing_get_next),
        },
        get_last_error: (fault == Fault::FailingGetNext).then_some(failing_last_error as _),
        release: Some(counted_release),
        private_data: private.cast(),
    }
}

fn as_ffi(stream: &mut RawStream) -> *mut FFI_ArrowArrayStream {
    (stream as *mut RawStream).cast()
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).unwrap()
}

fn strings(values: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

/// Events for leads A, B and C with text ids: opened emails, a pricing page visit, a row for
/// a lead no one has and a row in the future (two row errors).
fn text_events() -> RecordBatch {
    batch(vec![
        ("lead_id", strings(&["A", "B", "ghost", "A", "C", "B"])),
        (
            "kind",
            strings(&[
                "email_opened",
                "web_visit",
                "email_opened",
                "web_visit",
                "email_opened",
                "email_opened",
            ]),
        ),
        (
            "at",
            Arc::new(Int64Array::from(vec![
                NOW - DAY,
                NOW - 2 * DAY,
                NOW - DAY,
                NOW - 3 * DAY,
                NOW + DAY,
                NOW - 5 * DAY,
            ])),
        ),
        (
            "page",
            Arc::new(StringArray::from(vec![
                None,
                Some("/pricing"),
                None,
                Some("/blog/x"),
                None,
                None,
            ])),
        ),
    ])
}

/// The fit columns of leads A, B and C (the default playbook's fit model reads `employees`,
/// `users`, `budget` and `title`), and the same leads as JSON.
fn fit_columns() -> Vec<(&'static str, ArrayRef)> {
    vec![
        (
            "employees",
            Arc::new(Int64Array::from(vec![Some(20), Some(120), None])),
        ),
        (
            "users",
            Arc::new(Int32Array::from(vec![Some(12), None, Some(3)])),
        ),
        (
            "budget",
            Arc::new(Float64Array::from(vec![
                Some(50_000.0),
                None,
                Some(1_000.0),
            ])),
        ),
        (
            "title",
            Arc::new(StringArray::from(vec![Some("CEO"), Some("Intern"), None])),
        ),
    ]
}

fn fit_json(ids: [&str; 3]) -> String {
    format!(
        r#"[{{"id":"{}","firmographics":{{"employees":20,"users":12,"title":"CEO"}},"custom":{{"budget":50000}}}},
           {{"id":"{}","firmographics":{{"employees":120,"title":"Intern"}}}},
           {{"id":"{}","firmographics":{{"users":3}},"custom":{{"budget":1000}}}}]"#,
        ids[0], ids[1], ids[2]
    )
}

struct Playbook(*mut leadcore_playbook);

impl Playbook {
    fn default() -> Self {
        let mut pb = ptr::null_mut();
        assert_eq!(
            unsafe { leadcore_playbook_default(&mut pb, ptr::null_mut()) },
            LEADCORE_OK
        );
        Playbook(pb)
    }
}

impl Drop for Playbook {
    fn drop(&mut self) {
        unsafe { leadcore_playbook_free(self.0) };
    }
}

/// A call's outcome: the scores table and the row errors' JSON, or the status and message.
type Outcome = Result<(RecordBatch, String), (leadcore_status, String)>;

fn finish(
    status: leadcore_status,
    scores: FFI_ArrowArrayStream,
    mut errors: leadcore_buf,
    err: *mut leadcore_error,
) -> Outcome {
    if status != LEADCORE_OK {
        assert!(scores.release().is_none(), "no scores on failure");
        assert!(errors.data.is_null(), "no row errors on failure");
        let message = unsafe { CStr::from_ptr(leadcore_error_message(err)) }
            .to_string_lossy()
            .into_owned();
        unsafe { leadcore_error_free(err) };
        return Err((status, message));
    }
    let text = unsafe { std::slice::from_raw_parts(errors.data, errors.len) };
    let text = String::from_utf8(text.to_vec()).unwrap();
    unsafe { leadcore_buf_free(&mut errors) };
    let table = Table::from_stream(scores).unwrap();
    let columns: Vec<(String, ArrayRef)> = table
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.concat().unwrap()))
        .collect();
    Ok((RecordBatch::try_from_iter(columns).unwrap(), text))
}

fn empty_buf() -> leadcore_buf {
    leadcore_buf {
        data: ptr::null_mut(),
        len: 0,
    }
}

/// `leadcore_score_arrow` with the leads as JSON.
fn with_json(pb: &Playbook, leads: &str, events: RecordBatch) -> Outcome {
    let mut events = export_stream(events.schema(), vec![events]);
    let (mut scores, mut errors) = (FFI_ArrowArrayStream::empty(), empty_buf());
    let mut err = ptr::null_mut();
    let status = unsafe {
        leadcore_score_arrow(
            pb.0,
            leads.as_ptr(),
            leads.len(),
            &mut events,
            NOW,
            &mut scores,
            &mut errors,
            &mut err,
        )
    };
    finish(status, scores, errors, err)
}

/// `leadcore_score_arrow_leads` with raw stream pointers (either may be NULL).
fn with_streams(
    pb: *const leadcore_playbook,
    leads: *mut FFI_ArrowArrayStream,
    events: *mut FFI_ArrowArrayStream,
    now: i64,
) -> Outcome {
    let (mut scores, mut errors) = (FFI_ArrowArrayStream::empty(), empty_buf());
    let mut err = ptr::null_mut();
    let status = unsafe {
        leadcore_score_arrow_leads(pb, leads, events, now, &mut scores, &mut errors, &mut err)
    };
    finish(status, scores, errors, err)
}

/// `leadcore_score_arrow_leads` with well-behaved streams of `leads` and `events`, each
/// checked to be released exactly once.
fn with_arrow(pb: &Playbook, leads: RecordBatch, events: RecordBatch) -> Outcome {
    let (lr, er) = (Arc::default(), Arc::default());
    let mut leads = counted(leads, &lr, Fault::None);
    let mut events = counted(events, &er, Fault::None);
    let out = with_streams(pb.0, as_ffi(&mut leads), as_ffi(&mut events), NOW);
    assert_released_once(&leads, &lr);
    assert_released_once(&events, &er);
    out
}

fn assert_released_once(stream: &RawStream, releases: &AtomicUsize) {
    assert!(
        stream.release.is_none(),
        "the caller's struct is marked released"
    );
    assert_eq!(releases.load(Ordering::SeqCst), 1, "released exactly once");
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> &'a ArrayRef {
    batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn scores(batch: &RecordBatch, model: &str) -> Vec<f64> {
    column(batch, &format!("score_{model}"))
        .as_primitive::<arrow_array::types::Float64Type>()
        .values()
        .to_vec()
}

/// The batch without its `lead_id` column.
fn without_ids(batch: &RecordBatch) -> RecordBatch {
    let mut batch = batch.clone();
    batch.remove_column(0);
    batch
}

#[test]
fn leads_as_a_stream_score_as_the_same_leads_as_json_with_fit_rules() {
    let pb = Playbook::default();
    let json = with_json(&pb, &fit_json(["A", "B", "C"]), text_events()).unwrap();
    // The fixture means something: fit scores differ, grades are given, rows are dropped.
    let fit = scores(&json.0, "fit");
    assert!(fit[0] > fit[2] && fit[1] > fit[2], "fit scores {fit:?}");
    assert!(json.1.contains("unknown_lead") && json.1.contains("in_future"));
    let id_layouts: [(&str, ArrayRef); 3] = [
        ("lead_id", strings(&["A", "B", "C"])),
        (
            "lead_id",
            Arc::new(LargeStringArray::from(vec!["A", "B", "C"])),
        ),
        (
            "id",
            Arc::new(
                vec!["A", "B", "C"]
                    .into_iter()
                    .collect::<DictionaryArray<Int32Type>>(),
            ),
        ),
    ];
    for (name, ids) in id_layouts {
        let mut columns = vec![(name, ids)];
        columns.extend(fit_columns());
        let arrow = with_arrow(&pb, batch(columns), text_events()).unwrap();
        assert_eq!(arrow, json, "ids in `{name}` as {}", arrow.0.schema());
    }
}

#[test]
fn integer_lead_ids_match_integer_event_ids_and_come_back_in_their_type() {
    let pb = Playbook::default();
    // The events of `text_events` for leads 7, 8 and 9 (99: nobody's).
    let events = || {
        let text = text_events();
        let mut columns: Vec<(String, ArrayRef)> = text
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .zip(text.columns().iter().cloned())
            .collect();
        columns[0].1 = Arc::new(Int64Array::from(vec![7, 8, 99, 7, 9, 8]));
        RecordBatch::try_from_iter(columns).unwrap()
    };
    // Leads that are only int64 ids: the fast path, as the JSON of ids only.
    let ids_only = with_json(&pb, r#"[{"id":"7"},{"id":"8"},{"id":"9"}]"#, events()).unwrap();
    let arrow = with_arrow(
        &pb,
        batch(vec![("lead_id", Arc::new(Int64Array::from(vec![7, 8, 9])))]),
        events(),
    )
    .unwrap();
    assert_eq!(without_ids(&arrow.0), without_ids(&ids_only.0));
    assert_eq!(arrow.1, ids_only.1);
    assert!(arrow.1.contains("no lead with id `99`"), "{}", arrow.1);
    let ids = column(&arrow.0, "lead_id").as_primitive::<Int64Type>();
    assert_eq!(ids.values().as_ref(), [7, 8, 9]);
    assert!(scores(&arrow.0, "engagement")[0] > 0.0);

    // Int32 ids with fit columns: leads made from the table, ids back as Int32.
    let mut columns: Vec<(&str, ArrayRef)> =
        vec![("lead_id", Arc::new(Int32Array::from(vec![7, 8, 9])))];
    columns.extend(fit_columns());
    let arrow = with_arrow(&pb, batch(columns), events()).unwrap();
    let json = with_json(&pb, &fit_json(["7", "8", "9"]), events()).unwrap();
    assert_eq!(without_ids(&arrow.0), without_ids(&json.0));
    assert_eq!(arrow.1, json.1);
    let ids = column(&arrow.0, "lead_id").as_primitive::<Int32Type>();
    assert_eq!(ids.values().as_ref(), [7, 8, 9]);
}

#[test]
fn duplicate_lead_ids_are_invalid_input() {
    let pb = Playbook::default();
    let int_events = || {
        batch(vec![
            ("lead_id", Arc::new(Int64Array::from(vec![7, 8]))),
            ("kind", strings(&["email_opened"; 2])),
            ("at", Arc::new(Int64Array::from(vec![NOW - DAY; 2]))),
        ])
    };
    let cases: [(RecordBatch, RecordBatch); 3] = [
        // int64 ids only, int64 event ids (the fast path)
        (
            batch(vec![("lead_id", Arc::new(Int64Array::from(vec![7, 8, 7])))]),
            int_events(),
        ),
        // int64 ids with a fit column
        (
            batch(vec![
                ("lead_id", Arc::new(Int64Array::from(vec![7, 7]))),
                ("employees", Arc::new(Int64Array::from(vec![1, 2]))),
            ]),
            int_events(),
        ),
        // text ids
        (
            batch(vec![("lead_id", strings(&["A", "B", "A"]))]),
            text_events(),
        ),
    ];
    for (leads, events) in cases {
        let (status, message) = with_arrow(&pb, leads, events).unwrap_err();
        assert_eq!(status, LEADCORE_INVALID_INPUT);
        assert!(message.contains("not unique"), "{message}");
    }
}

#[test]
fn bad_leads_tables_are_invalid_input() {
    let pb = Playbook::default();
    let refused = |columns: Vec<(&str, ArrayRef)>, says: &str| {
        let (status, message) = with_arrow(&pb, batch(columns), text_events()).unwrap_err();
        assert_eq!(status, LEADCORE_INVALID_INPUT, "{message}");
        assert!(message.contains(says), "{message:?} should say {says:?}");
    };
    refused(
        vec![
            ("lead_id", strings(&["A"])),
            ("employes", Arc::new(Int64Array::from(vec![3]))),
        ],
        "employees",
    );
    refused(
        vec![("employees", Arc::new(Int64Array::from(vec![3])))],
        "leads: no `lead_id` column",
    );
    refused(
        vec![
            ("lead_id", strings(&["A"])),
            ("employees", strings(&["many"])),
        ],
        "a text value cannot fill `employees`",
    );
    refused(
        vec![("lead_id", strings(&["A"])), ("id", strings(&["A"]))],
        "both the `id` and the `lead_id` column",
    );
    refused(
        vec![(
            "lead_id",
            Arc::new(StringArray::from(vec![Some("A"), None])),
        )],
        "row 1",
    );
    refused(
        vec![(
            "lead_id",
            Arc::new(Int64Array::from(vec![Some(1), None])) as ArrayRef,
        )],
        "row 1",
    );
}

#[test]
fn malformed_leads_streams_are_invalid_input_and_both_streams_are_released_once() {
    let pb = Playbook::default();
    let leads = || batch(vec![("lead_id", strings(&["A", "B", "C"]))]);
    for (fault, says) in [
        (
            Fault::NoGetNext,
            "leads: the Arrow stream lacks its get_schema or get_next",
        ),
        (Fault::FailingGetNext, "the leads file is gone"),
    ] {
        let (lr, er) = (Arc::default(), Arc::default());
        let mut leads = counted(leads(), &lr, fault);
        let mut events = counted(text_events(), &er, Fault::None);
        let (status, message) =
            with_streams(pb.0, as_ffi(&mut leads), as_ffi(&mut events), NOW).unwrap_err();
        assert_eq!(status, LEADCORE_INVALID_INPUT);
        assert!(message.contains(says), "{message:?} should say {says:?}");
        assert_released_once(&leads, &lr);
        assert_released_once(&events, &er);
    }
    // A stream released already (the struct a call took over) is refused; the events
    // stream is still released once.
    let (lr, er) = (Arc::default(), Arc::default());
    let mut leads = counted(leads(), &lr, Fault::None);
    let mut events = counted(text_events(), &er, Fault::None);
    with_streams(pb.0, as_ffi(&mut leads), as_ffi(&mut events), NOW).unwrap();
    let mut events = counted(text_events(), &er, Fault::None);
    let (status, message) =
        with_streams(pb.0, as_ffi(&mut leads), as_ffi(&mut events), NOW).unwrap_err();
    assert_eq!(status, LEADCORE_INVALID_INPUT);
    assert!(message.contains("released already"), "{message}");
    assert_eq!(lr.load(Ordering::SeqCst), 1);
    assert_eq!(er.load(Ordering::SeqCst), 2);
}

#[test]
fn every_failure_releases_both_streams_exactly_once() {
    let pb = Playbook::default();
    let leads = || batch(vec![("lead_id", strings(&["A", "B", "C"]))]);
    let no_kind = || {
        batch(vec![
            ("lead_id", strings(&["A"])),
            ("at", Arc::new(Int64Array::from(vec![NOW]))),
        ])
    };
    // (playbook, leads given, events given, now, events batch, bad leads, status)
    let null_pb: *const leadcore_playbook = ptr::null();
    let bad_leads = || {
        batch(vec![
            ("lead_id", strings(&["A"])),
            ("colour", strings(&["red"])),
        ])
    };
    let cases = [
        (
            pb.0 as *const _,
            false,
            true,
            NOW,
            text_events(),
            leads(),
            LEADCORE_NULL_ARGUMENT,
        ),
        (
            pb.0 as *const _,
            true,
            false,
            NOW,
            text_events(),
            leads(),
            LEADCORE_NULL_ARGUMENT,
        ),
        (
            pb.0 as *const _,
            false,
            false,
            NOW,
            text_events(),
            leads(),
            LEADCORE_NULL_ARGUMENT,
        ),
        (
            null_pb,
            true,
            true,
            NOW,
            text_events(),
            leads(),
            LEADCORE_NULL_ARGUMENT,
        ),
        (
            pb.0 as *const _,
            true,
            true,
            i64::MAX,
            text_events(),
            leads(),
            LEADCORE_INVALID_ARGUMENT,
        ),
        (
            pb.0 as *const _,
            true,
            true,
            NOW,
            no_kind(),
            leads(),
            LEADCORE_INVALID_INPUT,
        ),
        (
            pb.0 as *const _,
            true,
            true,
            NOW,
            text_events(),
            bad_leads(),
            LEADCORE_INVALID_INPUT,
        ),
    ];
    for (i, (playbook, give_leads, give_events, now, events, leads, want)) in
        cases.into_iter().enumerate()
    {
        let (lr, er) = (Arc::default(), Arc::default());
        let mut leads = counted(leads, &lr, Fault::None);
        let mut events = counted(events, &er, Fault::None);
        let leads_ptr = if give_leads {
            as_ffi(&mut leads)
        } else {
            ptr::null_mut()
        };
        let events_ptr = if give_events {
            as_ffi(&mut events)
        } else {
            ptr::null_mut()
        };
        let (status, message) = with_streams(playbook, leads_ptr, events_ptr, now).unwrap_err();
        assert_eq!(status, want, "case {i}: {message}");
        // A stream given is released by the call; one not given is the caller's to
        // release.
        for (given, stream, releases) in [
            (give_leads, &mut leads, &lr),
            (give_events, &mut events, &er),
        ] {
            if given {
                assert_released_once(stream, releases);
            } else {
                assert_eq!(releases.load(Ordering::SeqCst), 0, "case {i}");
                unsafe { (stream.release.unwrap())(stream) };
                assert_released_once(stream, releases);
            }
        }
    }
    // NULL outputs: refused, both streams released.
    let (lr, er) = (Arc::default(), Arc::default());
    let mut leads = counted(leads(), &lr, Fault::None);
    let mut events = counted(text_events(), &er, Fault::None);
    let status = unsafe {
        leadcore_score_arrow_leads(
            pb.0,
            as_ffi(&mut leads),
            as_ffi(&mut events),
            NOW,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(status, LEADCORE_NULL_ARGUMENT);
    assert_released_once(&leads, &lr);
    assert_released_once(&events, &er);
}
