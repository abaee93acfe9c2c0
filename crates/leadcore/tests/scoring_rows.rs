//! `Scoring::score_rows`: rows' leads as integer keys, leads with no field but their id, and
//! text columns as their producer holds them (`RawText`: keys of any width, Arrow validity
//! whose nulls hold any key, pandas' -1) score exactly as `score_columns` on the same events
//! with lead indices, lead records and `u32` codes with `NULL_CODE` where missing.

use chrono::{DateTime, Utc};
use leadcore::columnar::{
    AttrColumn, AttrValues, BatchLeads, Bits, DictColumn, EventColumns, Keys, LeadRows, NULL_CODE,
    RawText,
};
use leadcore::{Lead, Playbook};
use proptest::prelude::*;

const NOW: i64 = 1_767_312_000;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(NOW, 0).unwrap()
}

fn kinds() -> Vec<String> {
    ["web_visit", "email_opened", "trial_signup", "email_clicked"]
        .map(String::from)
        .to_vec()
}

fn campaigns() -> Vec<String> {
    ["welcome", "spring", "welcome-back"]
        .map(String::from)
        .to_vec()
}

/// Rules on two text columns (so the batch reads two raw columns) and a decaying one.
const TWO_COLUMNS: &str = r#"
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: lead
      rules:
        - {type: behaviour, name: pricing, activity: web_visit, filters: [{attr: page, op: contains, value: pricing}], points: 15, occurrence: once}
        - {type: behaviour, name: blog, activity: web_visit, filters: [{attr: page, op: starts_with, value: /blog}], points: 2}
        - {type: behaviour, name: welcome, activity: email_opened, filters: [{attr: campaign, op: eq, value: welcome}], points: 3, occurrence: {at_most: 2}}
        - {type: behaviour, name: clicks, activity: email_clicked, points: 5, decay: {type: half_life, days: 7}}
        - {type: behaviour, name: trial, activity: trial_signup, points: 25}
"#;

/// Events of lead indices, kind codes over `kinds`, times and attribute columns.
fn columns<'a>(
    lead: &'a [u32],
    kind: &'a [u32],
    kinds: &'a [String],
    at: &'a [i64],
    attrs: &'a [AttrColumn<'a>],
) -> EventColumns<'a> {
    EventColumns {
        lead,
        kind: DictColumn {
            codes: kind,
            dictionary: kinds,
        },
        at,
        attrs,
    }
}

/// The `page` attribute column of `codes` over `pages`.
fn page_column<'a>(codes: &'a [u32], pages: &'a [String]) -> AttrColumn<'a> {
    AttrColumn {
        name: "page",
        values: AttrValues::Text(DictColumn {
            codes,
            dictionary: pages,
        }),
    }
}

fn pages() -> Vec<String> {
    ["/pricing", "/blog/x", "/docs", "/pricing/faq"]
        .map(String::from)
        .to_vec()
}

/// Row: (lead, kind code, age in hours, page: Some(code) or None with what its key holds).
type Row = (u32, u32, i64, Result<u32, u32>);

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (
            0u32..12,
            0u32..4,
            0i64..24 * 60,
            prop_oneof![
                (0u32..4).prop_map(Ok),
                prop_oneof![Just(NULL_CODE), Just(0u32), 0u32..1000].prop_map(Err),
            ],
        ),
        0..300,
    )
}

/// Validity bits from bit `offset` on.
fn bits(valid: &[bool], offset: usize) -> Vec<u8> {
    let mut out = vec![0u8; (offset + valid.len()).div_ceil(8) + 1];
    for (r, &v) in valid.iter().enumerate() {
        if v {
            out[(offset + r) / 8] |= 1 << ((offset + r) % 8);
        }
    }
    out
}

proptest! {
    #[test]
    fn keyed_rows_bare_leads_and_unchecked_nulls_score_as_the_core(
        rows in rows(),
        offset in 0usize..16,
        first in -5i64..5,
        threads in 1usize..4,
        nulls_hold_minus_one in any::<bool>(),
    ) {
        // As pyarrow keeps a masked array, every null's key -1: 32-bit keys then read as
        // codes where the rows start on a validity byte.
        let rows: Vec<Row> = rows
            .into_iter()
            .map(|r| (r.0, r.1, r.2, r.3.map_err(|k| if nulls_hold_minus_one { NULL_CODE } else { k })))
            .collect();
        for pb in [Playbook::default_playbook(), Playbook::from_yaml(TWO_COLUMNS).unwrap()] {
            same_scores(&pb, &rows, offset, first, threads)?;
        }
    }
}

fn same_scores(
    pb: &Playbook,
    rows: &[Row],
    offset: usize,
    first: i64,
    threads: usize,
) -> Result<(), TestCaseError> {
    let s = pb.scoring();
    let (kinds, pages, campaigns) = (kinds(), pages(), campaigns());
    let lead: Vec<u32> = rows.iter().map(|r| r.0).collect();
    let kind: Vec<u32> = rows.iter().map(|r| r.1).collect();
    let at: Vec<i64> = rows.iter().map(|r| NOW - r.2 * 3600).collect();
    let fixed: Vec<u32> = rows.iter().map(|r| r.3.unwrap_or(NULL_CODE)).collect();
    let raw: Vec<u32> = rows.iter().map(|r| r.3.unwrap_or_else(|k| k)).collect();
    let valid: Vec<bool> = rows.iter().map(|r| r.3.is_ok()).collect();
    let bits = bits(&valid, offset);

    // The reference: lead records (ids first + i), indices, NULL_CODE under nulls.
    let n = 10usize; // leads 10 and 11 are unknown
    let records: Vec<Lead> = (0..n)
        .map(|i| Lead::new((first + i as i64).to_string()))
        .collect();
    // The campaign: the page's code modulo 3, missing where the page is.
    let campaign: Vec<u32> = fixed
        .iter()
        .map(|&c| if c == NULL_CODE { c } else { c % 3 })
        .collect();
    let campaign8: Vec<u8> = raw.iter().map(|&k| (k % 3) as u8).collect();
    let attrs = [
        AttrColumn {
            name: "page",
            values: AttrValues::Text(DictColumn {
                codes: &fixed,
                dictionary: &pages,
            }),
        },
        AttrColumn {
            name: "campaign",
            values: AttrValues::Text(DictColumn {
                codes: &campaign,
                dictionary: &campaigns,
            }),
        },
    ];
    let events = columns(&lead, &kind, &kinds, &at, &attrs);
    let want = s
        .score_columns_parallel(&records, &events, now(), threads)
        .unwrap();

    let raw_attrs = [
        AttrColumn {
            name: "page",
            values: AttrValues::Text(DictColumn {
                codes: &[],
                dictionary: &pages,
            }),
        },
        AttrColumn {
            name: "campaign",
            values: AttrValues::Text(DictColumn {
                codes: &[],
                dictionary: &campaigns,
            }),
        },
    ];
    let raw_events = EventColumns {
        lead: &[],
        kind: DictColumn {
            codes: &[],
            dictionary: &kinds,
        },
        attrs: &raw_attrs,
        ..events
    };
    // The page as Arrow keys of each width (nulls holding anything), and as pandas codes
    // (-1 missing, no validity); the kind as uint8 and int8 keys.
    let (p8, p16): (Vec<u8>, Vec<u16>) = raw.iter().map(|&k| (k as u8, k as u16)).unzip();
    let pandas: Vec<i16> = fixed
        .iter()
        .map(|&c| if c == NULL_CODE { -1 } else { c as i16 })
        .collect();
    let pandas8: Vec<i8> = pandas.iter().map(|&c| c as i8).collect();
    let kind8: Vec<u8> = kind.iter().map(|&k| k as u8).collect();
    let kindi8: Vec<i8> = kind.iter().map(|&k| k as i8).collect();
    let valid = Some(Bits {
        bytes: &bits,
        offset,
    });
    let arrow = |keys| RawText {
        column: "page",
        keys,
        valid,
        minus_one_missing: false,
    };
    let pages_raw = [
        arrow(Keys::U32(&raw)),
        arrow(Keys::U16(&p16)),
        arrow(Keys::U8(&p8)),
        RawText {
            column: "page",
            keys: Keys::I16(&pandas),
            valid: None,
            minus_one_missing: true,
        },
        RawText {
            column: "page",
            keys: Keys::I8(&pandas8),
            valid: None,
            minus_one_missing: true,
        },
    ];
    let kinds_raw = [
        RawText {
            column: "kind",
            keys: Keys::U8(&kind8),
            valid: None,
            minus_one_missing: false,
        },
        RawText {
            column: "kind",
            keys: Keys::I8(&kindi8),
            valid: None,
            minus_one_missing: true,
        },
        RawText {
            column: "kind",
            keys: Keys::U32(&kind),
            valid: None,
            minus_one_missing: false,
        },
    ];
    let keys: Vec<i64> = lead.iter().map(|&l| first + i64::from(l)).collect();
    let table: Vec<u32> = (0..n as u32).chain([u32::MAX; 2]).collect();
    let id = |i: usize| (first + i as i64).to_string();
    let bare = BatchLeads::Bare { count: n, id: &id };
    for (p, page) in pages_raw.iter().enumerate() {
        let kind_raw = kinds_raw[p % kinds_raw.len()];
        let rows_of = [
            LeadRows::Index(&lead),
            LeadRows::Run { keys: &keys, first },
            LeadRows::Table {
                keys: &keys,
                min: first,
                table: &table,
            },
        ][p % 3];
        let leads = if p % 2 == 0 {
            BatchLeads::Records(&records)
        } else {
            bare
        };
        let campaign_raw = RawText {
            column: "campaign",
            keys: Keys::U8(&campaign8),
            valid,
            minus_one_missing: false,
        };
        let mut got = s
            .score_rows(
                leads,
                rows_of,
                &raw_events,
                &[*page, kind_raw, campaign_raw],
                now(),
                threads,
                &mut |_| true,
            )
            .unwrap()
            .unwrap();
        // Rows whose lead is unknown name it by index or by key.
        for (e, w) in got.row_errors.iter_mut().zip(&want.row_errors) {
            if matches!(rows_of, LeadRows::Run { .. } | LeadRows::Table { .. }) {
                prop_assert!(e.message.starts_with("lead key "), "{}", e.message);
                e.message.clone_from(&w.message);
            }
        }
        prop_assert_eq!(&got, &want, "page keys {}", p);
    }
    Ok(())
}

/// A key is checked where a rule reads it: outside its dictionary on a row of a kind whose
/// rules filter on the column it fails the batch; on a row no rule reads it for (no rule of
/// that kind filters on `page`), it changes no score and is not looked at, as raw keys of
/// every width and as codes alike. A null key is never outside.
#[test]
fn a_code_outside_the_dictionary_fails_only_where_a_rule_reads_it() {
    let pb = Playbook::default_playbook();
    let (kinds, pages) = (kinds(), pages());
    let leads = [Lead::new("A")];
    // Row 1: `page` code 9 of 4; its kind decides whether a rule reads it.
    let score = |kind_1: u32, raw: bool| {
        let codes = [0u32, 9, 2];
        let attrs = [page_column(&codes, &pages)];
        let kind_codes = [0, kind_1, 0];
        let events = EventColumns {
            lead: &[0, 0, 0],
            kind: DictColumn {
                codes: &kind_codes,
                dictionary: &kinds,
            },
            at: &[NOW; 3],
            attrs: &attrs,
        };
        if !raw {
            return pb.scoring().score_columns(&leads, &events, now());
        }
        let narrow = codes.map(|c| c as u8);
        let keys = [
            RawText {
                column: "page",
                keys: Keys::U32(&codes),
                valid: Some(Bits {
                    bytes: &[0b111],
                    offset: 0,
                }),
                minus_one_missing: false,
            },
            RawText {
                column: "page",
                keys: Keys::U8(&narrow),
                valid: None,
                minus_one_missing: true,
            },
        ];
        let mut outs = keys.iter().map(|k| {
            pb.scoring()
                .score_rows(
                    BatchLeads::Records(&leads),
                    LeadRows::Index(&[0, 0, 0]),
                    &events,
                    std::slice::from_ref(k),
                    now(),
                    1,
                    &mut |_| true,
                )
                .map(Option::unwrap)
        });
        let first = outs.next().unwrap();
        for other in outs {
            assert_eq!(
                other.as_ref().map_err(ToString::to_string),
                first.as_ref().map_err(ToString::to_string)
            );
        }
        first
    };
    for raw in [false, true] {
        // web_visit reads `page`: the bad code fails the batch, naming column and row.
        let e = score(0, raw).unwrap_err();
        assert!(e.to_string().contains("`page` row 1: code 9"), "{e}");
        // email_opened does not: the batch scores as if row 1 had no page.
        let ok = score(1, raw).unwrap();
        let fixed = [0, NULL_CODE, 2];
        let attrs = [page_column(&fixed, &pages)];
        let reference = EventColumns {
            lead: &[0, 0, 0],
            kind: DictColumn {
                codes: &[0, 1, 0],
                dictionary: &kinds,
            },
            at: &[NOW; 3],
            attrs: &attrs,
        };
        assert_eq!(
            ok,
            pb.scoring()
                .score_columns(&leads, &reference, now())
                .unwrap()
        );
        assert!(ok.score(0, "engagement").unwrap() > 0.0);
    }
}

/// 32-bit keys whose nulls hold -1 (pyarrow's masked arrays) are read as codes a chunk of
/// rows at a time, where every valid key lies inside the dictionary; a chunk whose nulls
/// hold something else, a column whose rows do not start on a validity byte, and a set key
/// of -1 (outside: it fails the batch where a rule reads it, as any code outside does) are
/// read key by key with their validity. Over several chunks (16,384 rows each), the scores
/// are the core's on `NULL_CODE`-filled codes.
#[test]
fn keys_whose_nulls_hold_minus_one_score_as_codes_over_many_chunks() {
    let pb = Playbook::from_yaml(TWO_COLUMNS).unwrap();
    let (kinds, pages) = (kinds(), pages());
    let n = 50_000usize;
    let leads: Vec<Lead> = (0..97).map(|i| Lead::new(format!("L{i}"))).collect();
    let lead: Vec<u32> = (0..n).map(|r| (r * 31 % 97) as u32).collect();
    let kind: Vec<u32> = (0..n).map(|r| (r % 7 % 4) as u32).collect();
    let at: Vec<i64> = (0..n).map(|r| NOW - (n - r) as i64 * 60).collect();
    // Every third row has no page.
    let fixed: Vec<u32> = (0..n)
        .map(|r| {
            if r % 3 == 0 {
                NULL_CODE
            } else {
                (r % 5 % 4) as u32
            }
        })
        .collect();
    let valid: Vec<bool> = fixed.iter().map(|&c| c != NULL_CODE).collect();
    let attrs = [page_column(&fixed, &pages)];
    let events = columns(&lead, &kind, &kinds, &at, &attrs);
    let want = pb.scoring().score_columns(&leads, &events, now()).unwrap();
    assert!(want.scores.iter().any(|&s| s > 0.0));
    let score = |keys: &[u32], offset: usize| {
        let bits = bits(&valid, offset);
        let raw = [RawText {
            column: "page",
            keys: Keys::U32(keys),
            valid: Some(Bits {
                bytes: &bits,
                offset,
            }),
            minus_one_missing: false,
        }];
        pb.scoring().score_rows(
            BatchLeads::Records(&leads),
            LeadRows::Index(&lead),
            &events,
            &raw,
            now(),
            1,
            &mut |_| true,
        )
    };
    // In the second chunk, the null of a web_visit row holds 1 (`/blog/x`, which a rule
    // counts), and the chunks after it are read key by key too.
    let mut other = fixed.clone();
    let null = (16_384..32_768)
        .find(|&r| kind[r] == 0 && !valid[r])
        .unwrap();
    other[null] = 1;
    for keys in [&fixed, &other] {
        for offset in [0, 3, 8] {
            assert_eq!(
                score(keys, offset).unwrap().unwrap(),
                want,
                "offset {offset}"
            );
        }
    }
    // A set key of -1 on a web_visit row (read by the page rules) fails the batch.
    let mut set = fixed.clone();
    let row = (40_000..n).find(|&r| kind[r] == 0 && valid[r]).unwrap();
    set[row] = NULL_CODE;
    let e = score(&set, 0).unwrap_err();
    assert!(e.to_string().contains(&format!("`page` row {row}")), "{e}");
}

#[test]
fn a_set_row_code_outside_the_dictionary_fails_a_null_one_does_not() {
    let pb = Playbook::default_playbook();
    let (kinds, pages) = (kinds(), pages());
    let codes = [0, 9, 2];
    let attrs = [page_column(&codes, &pages)];
    let events = EventColumns {
        lead: &[],
        kind: DictColumn {
            codes: &[0, 0, 0],
            dictionary: &kinds,
        },
        at: &[NOW; 3],
        attrs: &attrs,
    };
    let leads = [Lead::new("A")];
    let score = |bits: u8| {
        let nulls = [RawText {
            column: "page",
            keys: Keys::U32(&codes),
            valid: Some(Bits {
                bytes: &[bits],
                offset: 0,
            }),
            minus_one_missing: false,
        }];
        pb.scoring().score_rows(
            BatchLeads::Records(&leads),
            LeadRows::Index(&[0, 0, 0]),
            &events,
            &nulls,
            now(),
            1,
            &mut |_| true,
        )
    };
    let e = score(0b111).unwrap_err();
    assert!(e.to_string().contains("`page` row 1: code 9"), "{e}");
    let ok = score(0b101).unwrap().unwrap();
    let fixed = [0, NULL_CODE, 2];
    let attrs = [page_column(&fixed, &pages)];
    let reference = EventColumns {
        lead: &[0, 0, 0],
        attrs: &attrs,
        ..events
    };
    assert_eq!(
        ok,
        pb.scoring()
            .score_columns(&leads, &reference, now())
            .unwrap()
    );
    assert!(
        ok.score(0, "engagement").unwrap() >= 15.0,
        "a pricing page visit"
    );
    // Validity shorter than the rows, or of no text column, is refused.
    let short = [RawText {
        column: "page",
        keys: Keys::U32(&codes),
        valid: Some(Bits {
            bytes: &[],
            offset: 0,
        }),
        minus_one_missing: false,
    }];
    let run = |nulls: &[RawText<'_>]| {
        pb.scoring().score_rows(
            BatchLeads::Records(&leads),
            LeadRows::Index(&[0, 0, 0]),
            &events,
            nulls,
            now(),
            1,
            &mut |_| true,
        )
    };
    assert!(run(&short).is_err());
    let other = [RawText {
        column: "campaign",
        keys: Keys::U32(&codes),
        valid: None,
        minus_one_missing: false,
    }];
    assert!(run(&other).is_err());
}

proptest! {
    /// A kinds' dictionary of hundreds of entries (a free-text column read as kinds, say)
    /// scores as the same rows over a dictionary of only the kinds they use: rows of a kind
    /// no rule reads count for nothing, and the batch's buffers stay the size of the kinds
    /// with rules, not of the dictionary.
    #[test]
    fn a_large_kinds_dictionary_scores_as_a_small_one(
        rows in rows(),
        unknown in prop::collection::vec((0u32..12, 0u32..400, 0i64..24 * 60), 0..100),
        threads in 1usize..4,
    ) {
        let pb = Playbook::from_yaml(TWO_COLUMNS).unwrap();
        let (small, pages) = (kinds(), pages());
        // The four kinds at codes 5, 42, 79 and 116 of 400, and again at 300 to 303 (a
        // dictionary may repeat an entry); the rest kinds no rule reads.
        let at_code = |k: u32| 5 + 37 * k;
        let again = |k: u32| 300 + k;
        let kind_of = |c: u32| (0..4).find(|&k| at_code(k) == c || again(k) == c);
        let large: Vec<String> = (0..400u32)
            .map(|c| match kind_of(c) {
                Some(k) => small[k as usize].clone(),
                None => format!("custom_{c}"),
            })
            .collect();
        let unknown: Vec<(u32, u32, i64)> = unknown
            .into_iter()
            .filter(|&(_, c, _)| kind_of(c).is_none())
            .collect();
        let leads: Vec<Lead> = (0..12).map(|i| Lead::new(format!("L{i}"))).collect();
        let page_of = |p: &Result<u32, u32>| p.unwrap_or(NULL_CODE);
        let small_rows = (
            rows.iter().map(|r| r.0).collect::<Vec<u32>>(),
            rows.iter().map(|r| r.1).collect::<Vec<u32>>(),
            rows.iter().map(|r| NOW - r.2 * 3600).collect::<Vec<i64>>(),
            rows.iter().map(|r| page_of(&r.3)).collect::<Vec<u32>>(),
        );
        let mut large_rows = (
            rows.iter().map(|r| r.0).collect::<Vec<u32>>(),
            rows.iter()
                .enumerate()
                .map(|(i, r)| if i % 2 == 0 { at_code(r.1) } else { again(r.1) })
                .collect::<Vec<u32>>(),
            small_rows.2.clone(),
            small_rows.3.clone(),
        );
        for &(lead, code, age) in &unknown {
            large_rows.0.push(lead);
            large_rows.1.push(code);
            large_rows.2.push(NOW - age * 3600);
            large_rows.3.push(0);
        }
        let score = |rows: &(Vec<u32>, Vec<u32>, Vec<i64>, Vec<u32>), dictionary: &[String]| {
            let attrs = [page_column(&rows.3, &pages)];
            let events = EventColumns {
                lead: &rows.0,
                kind: DictColumn { codes: &rows.1, dictionary },
                at: &rows.2,
                attrs: &attrs,
            };
            pb.scoring().score_columns_parallel(&leads, &events, now(), threads).unwrap()
        };
        prop_assert_eq!(score(&large_rows, &large), score(&small_rows, &small));
    }
}
