//! Reporting hierarchy, roll-ups, quotas, the forecast book (submissions, adjustments,
//! probability policy) and weekly snapshots.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use leadcore::Money;
use leadcore::forecast::{
    Category, CategoryMap, Cumulative, DealChangeKind, FiscalCalendar, ForecastBook, ForecastDeal,
    Granularity, Hierarchy, HierarchyRollup, OwnedDeal, PeriodKey, ProbabilityPolicy, QuotaMode,
    Quotas, ReportingLine as L, RollupSpec, Snapshot, Totals, WeekKey,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn map() -> CategoryMap {
    CategoryMap::new(Category::Pipeline)
        .stage("Proposal", Category::BestCase)
        .stage("Negotiation", Category::Commit)
        .stage("Won", Category::Closed)
        .stage("Lost", Category::Omitted)
}

fn spec() -> RollupSpec {
    RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, map())
}

fn q(index: u8) -> PeriodKey {
    PeriodKey {
        year: 2026,
        granularity: Granularity::Quarter,
        index,
    }
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn at(hour: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap() + Duration::hours(hour)
}

fn usd(minor: i64) -> Money {
    Money::new(minor, "USD")
}

fn deal(id: &str, minor: i64, close: NaiveDate, stage: &str, p: f64) -> ForecastDeal {
    ForecastDeal::new(id, usd(minor), close, stage, p)
}

/// ```text
/// vp
/// ├── m1 (owns M1)
/// │   ├── ana (A1, A2, A3)
/// │   └── bo  (B1, B2)
/// └── m2
///     └── cy  (C1, C2)
/// ```
fn org() -> Hierarchy {
    Hierarchy::new([
        L::under("ana", "m1"),
        L::under("bo", "m1"),
        L::under("cy", "m2"),
        L::under("m1", "vp"),
        L::under("m2", "vp"),
        L::root("vp"),
    ])
    .unwrap()
}

fn org_deals() -> Vec<OwnedDeal> {
    vec![
        // Q1 unless said otherwise.
        OwnedDeal::new("ana", deal("A1", 1000, day(2, 1), "Won", 1.0)), // Closed 1000 / 1000
        OwnedDeal::new("ana", deal("A2", 2000, day(2, 2), "Negotiation", 0.6)), // Commit 2000 / 1200
        OwnedDeal::new("ana", deal("A3", 500, day(3, 1), "Discovery", 0.1)),    // Pipeline 500 / 50
        OwnedDeal::new("bo", deal("B1", 3000, day(1, 20), "Proposal", 0.4)), // BestCase 3000 / 1200
        OwnedDeal::new("bo", deal("B2", 700, day(3, 30), "Lost", 0.0)),      // Omitted 700 / 0
        OwnedDeal::new("m1", deal("M1", 1000, day(2, 14), "Negotiation", 0.5)), // Commit 1000 / 500
        OwnedDeal::new("cy", deal("C1", 4000, day(1, 10), "Won", 1.0)),      // Closed 4000 / 4000
        OwnedDeal::new("cy", deal("C2", 1500, day(5, 1), "Negotiation", 0.8)), // Q2 Commit 1500 / 1200
    ]
}

fn t(count: u64, amount: i64, weighted: i64) -> Totals {
    Totals {
        count,
        amount,
        weighted,
    }
}

fn cell(r: &HierarchyRollup, node: &str, period: PeriodKey, category: Category) -> Totals {
    r.node(node)
        .unwrap()
        .total
        .total(period, &[category])
        .unwrap()
        .totals
}

fn view(r: &HierarchyRollup, node: &str, period: PeriodKey, v: Cumulative) -> Totals {
    r.node(node)
        .unwrap()
        .cumulative_total(period, v)
        .unwrap()
        .totals
}

#[test]
fn hand_checked_three_level_rollup() {
    let r = org().rollup(&spec(), &org_deals()).unwrap();
    use Category::*;
    // ana: her three deals.
    assert_eq!(cell(&r, "ana", q(1), Closed), t(1, 1000, 1000));
    assert_eq!(cell(&r, "ana", q(1), Commit), t(1, 2000, 1200));
    assert_eq!(cell(&r, "ana", q(1), Pipeline), t(1, 500, 50));
    // m1 = own M1 + ana + bo:
    //   Closed A1; Commit A2 + M1 = 3000 / 1700; BestCase B1; Pipeline A3; Omitted B2.
    assert_eq!(cell(&r, "m1", q(1), Closed), t(1, 1000, 1000));
    assert_eq!(cell(&r, "m1", q(1), Commit), t(2, 3000, 1700));
    assert_eq!(cell(&r, "m1", q(1), BestCase), t(1, 3000, 1200));
    assert_eq!(cell(&r, "m1", q(1), Pipeline), t(1, 500, 50));
    assert_eq!(cell(&r, "m1", q(1), Omitted), t(1, 700, 0));
    assert_eq!(
        r.node("m1")
            .unwrap()
            .own
            .total(q(1), &Category::ALL)
            .unwrap()
            .totals,
        t(1, 1000, 500)
    );
    // m1 cumulative: Closed 1000; +Commit 4000; +BestCase 7000; +Pipeline 7500 (B2 omitted).
    assert_eq!(view(&r, "m1", q(1), Cumulative::Closed), t(1, 1000, 1000));
    assert_eq!(view(&r, "m1", q(1), Cumulative::Commit), t(3, 4000, 2700));
    assert_eq!(view(&r, "m1", q(1), Cumulative::BestCase), t(4, 7000, 3900));
    assert_eq!(view(&r, "m1", q(1), Cumulative::Pipeline), t(5, 7500, 3950));
    // m2 = cy: Q1 Closed C1; Q2 Commit C2.
    assert_eq!(cell(&r, "m2", q(1), Closed), t(1, 4000, 4000));
    assert_eq!(cell(&r, "m2", q(2), Commit), t(1, 1500, 1200));
    // vp = m1 + m2: Closed 5000; Commit 3000; BestCase 3000; Pipeline 500.
    assert_eq!(view(&r, "vp", q(1), Cumulative::Closed), t(2, 5000, 5000));
    assert_eq!(view(&r, "vp", q(1), Cumulative::Commit), t(4, 8000, 6700));
    assert_eq!(
        view(&r, "vp", q(1), Cumulative::BestCase),
        t(5, 11000, 7900)
    );
    assert_eq!(
        view(&r, "vp", q(1), Cumulative::Pipeline),
        t(6, 11500, 7950)
    );
    assert_eq!(view(&r, "vp", q(2), Cumulative::Pipeline), t(1, 1500, 1200));
    assert_eq!(view(&r, "vp", q(3), Cumulative::Pipeline), t(0, 0, 0));
}

#[test]
fn quotas_attainment_and_coverage() {
    let h = org();
    let r = h.rollup(&spec(), &org_deals()).unwrap();
    let mut quotas = Quotas::default();
    quotas.set("ana", q(1), usd(3000)).unwrap();
    quotas.set("bo", q(1), usd(4000)).unwrap();
    quotas.set("cy", q(1), usd(5000)).unwrap();
    quotas.set("vp", q(1), usd(15000)).unwrap();
    // m1 has no quota of its own: none when given only, ana + bo = 7000 when summed.
    assert_eq!(
        quotas
            .resolve(&h, "m1", q(1), QuotaMode::GivenOnly)
            .unwrap(),
        None
    );
    assert_eq!(
        quotas
            .resolve(&h, "m1", q(1), QuotaMode::SumChildren)
            .unwrap(),
        Some(usd(7000))
    );
    // vp's given quota wins over the sum of its children (7000 + 5000).
    assert_eq!(
        quotas
            .resolve(&h, "vp", q(1), QuotaMode::SumChildren)
            .unwrap(),
        Some(usd(15000))
    );
    let node = |n: &str| r.node(n).unwrap();
    // ana: closed 1000 / 3000; open 2000 + 500 over the gap of 2000 = 1.25.
    let a = node("ana").attainment(q(1), Some(&usd(3000))).unwrap();
    assert_eq!((a.closed, a.open), (1000, 2500));
    assert_eq!(a.attainment, Some(1000.0 / 3000.0));
    assert_eq!(a.coverage, Some(1.25));
    // m1 against the summed 7000: closed 1000; open 3000 + 3000 + 500 = 6500 over 6000.
    let m1 = node("m1").attainment(q(1), Some(&usd(7000))).unwrap();
    assert_eq!(m1.attainment, Some(1000.0 / 7000.0));
    assert_eq!(m1.coverage, Some(6500.0 / 6000.0));
    // cy: 4000 / 5000 closed, nothing open in Q1: coverage 0.
    let cy = node("cy").attainment(q(1), Some(&usd(5000))).unwrap();
    assert_eq!((cy.attainment, cy.coverage), (Some(0.8), Some(0.0)));
    // Quota reached: coverage undefined. Zero quota: attainment undefined. No quota: both.
    let reached = node("cy").attainment(q(1), Some(&usd(4000))).unwrap();
    assert_eq!((reached.attainment, reached.coverage), (Some(1.0), None));
    let zero = node("cy").attainment(q(1), Some(&usd(0))).unwrap();
    assert_eq!((zero.attainment, zero.coverage), (None, None));
    let none = node("cy").attainment(q(1), None).unwrap();
    assert_eq!(
        (none.attainment, none.coverage, none.quota),
        (None, None, None)
    );
    // An empty span with a quota: 0 attained, no open pipeline.
    let empty = node("ana").attainment(q(3), Some(&usd(100))).unwrap();
    assert_eq!((empty.attainment, empty.coverage), (Some(0.0), Some(0.0)));
}

fn book() -> ForecastBook {
    let mut b = ForecastBook::new(
        org(),
        spec(),
        ProbabilityPolicy::ResyncOnStageChange,
        QuotaMode::SumChildren,
    );
    for d in org_deals() {
        b.put_deal(at(0), &d.owner, d.deal).unwrap();
    }
    b
}

#[test]
fn submissions_and_adjustments_roll_up() {
    use Category::Commit;
    let mut b = book();
    b.submit(at(1), "ana", q(1), Commit, usd(2500), "A2 likely")
        .unwrap();
    b.submit(at(1), "cy", q(1), Commit, usd(4500), "one more")
        .unwrap();
    let s = b.state();
    // ana: submitted 2500 (system: closed + commit = 3000).
    let ana = s.call("ana", q(1), Commit).unwrap();
    assert_eq!((ana.system_own, ana.own, ana.call), (3000, 2500, 2500));
    // m1: own M1 1000 + ana 2500 + bo 0 (no submission, no closed/commit) = 3500.
    let m1 = s.call("m1", q(1), Commit).unwrap();
    assert_eq!((m1.own, m1.rolled, m1.call), (1000, 3500, 3500));
    // vp: 0 + m1 3500 + m2 (cy 4500) = 8000.
    assert_eq!(s.call("vp", q(1), Commit).unwrap().call, 8000);

    b.adjust(at(2), "m1", "ana", q(1), Commit, usd(2000), "A2 slips")
        .unwrap();
    // m1 = 1000 + 2000 (adjusted; ana's 2500 still visible) + 0 = 3000.
    let m1 = b.state().call("m1", q(1), Commit).unwrap();
    let ana_line = &m1.subordinates[0];
    assert_eq!(ana_line.node, "ana");
    assert_eq!((ana_line.original, ana_line.effective), (2500, 2000));
    assert_eq!(ana_line.adjustment.as_ref().unwrap().note, "A2 slips");
    assert_eq!(m1.call, 3000);
    // ana's own view is unchanged.
    assert_eq!(b.state().call("ana", q(1), Commit).unwrap().call, 2500);

    b.adjust(at(3), "vp", "m2", q(1), Commit, usd(4000), "haircut")
        .unwrap();
    // vp = 3000 + 4000 = 7000; m2 does not see vp's adjustment (still 4500).
    assert_eq!(b.state().call("vp", q(1), Commit).unwrap().call, 7000);
    assert_eq!(b.state().call("m2", q(1), Commit).unwrap().call, 4500);

    b.adjust(at(4), "vp", "ana", q(1), Commit, usd(1800), "skip-level")
        .unwrap();
    // vp sees its own adjustment of ana over m1's: m1 = 1000 + 1800 = 2800, vp = 6800;
    // m1 still sees its own 2000.
    let vp = b.state().call("vp", q(1), Commit).unwrap();
    assert_eq!(vp.subordinates[0].original, 2800);
    assert_eq!(vp.call, 6800);
    assert_eq!(b.state().call("m1", q(1), Commit).unwrap().call, 3000);

    // vp adjusts its own roll-up: both numbers kept.
    b.adjust(at(5), "vp", "vp", q(1), Commit, usd(7200), "gut")
        .unwrap();
    let vp = b.state().call("vp", q(1), Commit).unwrap();
    assert_eq!((vp.rolled, vp.call), (6800, 7200));
    assert_eq!(b.state().adjustments().len(), 4);

    // A later submission supersedes an earlier one; both are kept.
    b.submit(at(6), "ana", q(1), Commit, usd(2600), "update")
        .unwrap();
    assert_eq!(b.state().call("ana", q(1), Commit).unwrap().call, 2600);
    assert_eq!(b.state().submissions().len(), 3);

    // Best case: nothing submitted, system numbers: vp = closed 5000 + commit 3000 + best case 3000.
    let best = b.state().call("vp", q(1), Category::BestCase).unwrap();
    assert_eq!(best.call, 11000);
}

#[test]
fn bad_input_is_refused() {
    use Category::Commit;
    // Every problem at once, located.
    let err = Hierarchy::new([
        L::root("vp"),
        L::under("a", "b"),
        L::under("b", "a"),
        L::under("c", "ghost"),
        L::root("vp"),
        L::under("d", "d"),
    ])
    .unwrap_err();
    assert_eq!(err.code(), "playbook.invalid");
    let found: Vec<(&str, &str)> = err
        .issues()
        .iter()
        .map(|i| (i.path.as_str(), i.code.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("hierarchy[3].parent", "hierarchy.unknown_parent"),
            ("hierarchy[4].node", "hierarchy.duplicate_node"),
            ("hierarchy[1].parent", "hierarchy.cycle"),
            ("hierarchy[5].parent", "hierarchy.cycle"),
        ]
    );
    assert!(err.issues()[2].message.contains("a -> b -> a"));
    // A forest is fine.
    assert_eq!(
        Hierarchy::new([L::root("x"), L::root("y")])
            .unwrap()
            .roots(),
        ["x", "y"]
    );

    // Deals owned by no node; mixed currencies in one total.
    let h = org();
    let stray = [OwnedDeal::new("zed", deal("Z", 1, day(1, 2), "Won", 1.0))];
    assert_eq!(
        h.rollup(&spec(), &stray).unwrap_err().code(),
        "input.invalid"
    );
    let mut mixed = org_deals();
    mixed.push(OwnedDeal::new(
        "bo",
        ForecastDeal::new("E1", Money::new(10, "EUR"), day(2, 2), "Won", 1.0),
    ));
    let r = h.rollup(&spec(), &mixed).unwrap();
    let vp = r.node("vp").unwrap();
    assert!(vp.cumulative_total(q(1), Cumulative::Closed).is_err());
    assert_eq!(vp.cumulative(q(1), Cumulative::Closed).unwrap().len(), 2); // per currency is fine
    assert!(vp.attainment(q(1), Some(&usd(1))).is_err());
    // ana's deals are all USD, a EUR quota is refused.
    let ana = r.node("ana").unwrap();
    assert!(ana.attainment(q(1), Some(&Money::new(1, "EUR"))).is_err());
    let mut quotas = Quotas::default();
    quotas.set("ana", q(1), usd(1)).unwrap();
    quotas.set("bo", q(1), Money::new(1, "EUR")).unwrap();
    assert!(
        quotas
            .resolve(&h, "m1", q(1), QuotaMode::SumChildren)
            .is_err()
    );
    assert!(quotas.set("ana", q(1), usd(-1)).is_err());

    let mut b = book();
    // Adjusters that are not ancestors: a peer, a subordinate, a manager of another branch.
    for (adjuster, target) in [("bo", "ana"), ("ana", "m1"), ("m2", "ana"), ("cy", "vp")] {
        let err = b
            .adjust(at(1), adjuster, target, q(1), Commit, usd(1), "")
            .unwrap_err();
        assert_eq!(err.code(), "input.invalid", "{adjuster} -> {target}");
    }
    assert!(
        b.adjust(at(1), "vp", "ghost", q(1), Commit, usd(1), "")
            .is_err()
    );
    assert!(b.submit(at(1), "ghost", q(1), Commit, usd(1), "").is_err());
    // Negative amounts, calls on a non-call category, a span of another granularity.
    assert!(b.submit(at(1), "ana", q(1), Commit, usd(-5), "").is_err());
    assert!(
        b.adjust(at(1), "m1", "ana", q(1), Commit, usd(-5), "")
            .is_err()
    );
    assert!(
        b.submit(at(1), "ana", q(1), Category::Pipeline, usd(5), "")
            .is_err()
    );
    let month = PeriodKey {
        granularity: Granularity::Period,
        ..q(1)
    };
    assert!(b.submit(at(1), "ana", month, Commit, usd(5), "").is_err());
    assert!(b.set_quota(at(1), "ana", q(1), usd(-1)).is_err());
    assert!(
        b.put_deal(at(1), "ana", deal("N", -1, day(1, 2), "Won", 1.0))
            .is_err()
    );
    // Time going backwards.
    b.submit(at(2), "ana", q(1), Commit, usd(5), "").unwrap();
    let err = b
        .submit(at(1), "ana", q(1), Commit, usd(5), "")
        .unwrap_err();
    assert_eq!(err.code(), "lifecycle.time_went_backwards");
    // Refusals left nothing behind.
    assert_eq!(b.state().submissions().len(), 1);
    assert!(b.state().adjustments().is_empty());
    // Mixed currencies in a call.
    b.submit(at(3), "bo", q(1), Commit, Money::new(5, "EUR"), "")
        .unwrap();
    assert!(b.state().call("m1", q(1), Commit).is_err());
}

#[test]
fn probability_policies() {
    let run = |policy: ProbabilityPolicy, override_: f64, new_stage: &str, new_p: f64| {
        let h = Hierarchy::new([L::root("ana")]).unwrap();
        let mut b = ForecastBook::new(h, spec(), policy, QuotaMode::GivenOnly);
        let d = deal("O1", 1000, day(2, 1), "Discovery", 0.2);
        b.put_deal(at(0), "ana", d.clone()).unwrap();
        b.override_probability(at(1), "O1", Some(override_))
            .unwrap();
        // Same stage, new system probability: every policy keeps the override.
        b.put_deal(
            at(2),
            "ana",
            ForecastDeal {
                probability: 0.25,
                ..d.clone()
            },
        )
        .unwrap();
        assert_eq!(
            b.state().deals()["O1"].probability_override,
            Some(override_)
        );
        b.put_deal(
            at(3),
            "ana",
            ForecastDeal {
                stage: new_stage.into(),
                probability: new_p,
                ..d
            },
        )
        .unwrap();
        let kept = &b.state().deals()["O1"];
        assert_eq!(kept.system_probability(), new_p);
        (kept.probability_override, kept.probability())
    };
    use ProbabilityPolicy::*;
    assert_eq!(run(KeepOverride, 0.9, "Proposal", 0.5), (Some(0.9), 0.9));
    assert_eq!(run(ResyncOnStageChange, 0.9, "Proposal", 0.5), (None, 0.5));
    assert_eq!(run(ResyncOnStageChange, 0.1, "Proposal", 0.5), (None, 0.5));
    // Lower than the new stage's: cleared. Higher or equal: kept.
    assert_eq!(run(ResyncWhenLower, 0.3, "Proposal", 0.5), (None, 0.5));
    assert_eq!(run(ResyncWhenLower, 0.9, "Proposal", 0.5), (Some(0.9), 0.9));
    assert_eq!(run(ResyncWhenLower, 0.5, "Proposal", 0.5), (Some(0.5), 0.5));
    // The override is what the forecast weighs with.
    let h = Hierarchy::new([L::root("ana")]).unwrap();
    let mut b = ForecastBook::new(h, spec(), KeepOverride, QuotaMode::GivenOnly);
    b.put_deal(at(0), "ana", deal("O1", 1000, day(2, 1), "Proposal", 0.2))
        .unwrap();
    b.override_probability(at(1), "O1", Some(0.7)).unwrap();
    let r = b.state().rollup().unwrap();
    assert_eq!(cell(&r, "ana", q(1), Category::BestCase).weighted, 700);
    assert!(b.override_probability(at(1), "O1", Some(1.5)).is_err());
    assert!(b.override_probability(at(1), "O1", Some(f64::NAN)).is_err());
    b.override_probability(at(2), "O1", None).unwrap();
    let r = b.state().rollup().unwrap();
    assert_eq!(cell(&r, "ana", q(1), Category::BestCase).weighted, 200);
}

#[test]
fn snapshots_survive_reorganisation_and_compare() {
    use Category::*;
    let mut b = book();
    b.submit(at(1), "bo", q(1), Commit, usd(900), "B1 may jump")
        .unwrap();
    let w2 = WeekKey {
        year: 2026,
        week: 2,
    };
    let snap2 = b.snapshot(at(2), w2).unwrap().clone();
    let before = snap2.state().rollup().unwrap();
    let before_call = snap2.state().call("m1", q(1), Commit).unwrap();
    // Reorganise: bo moves from m1 to m2.
    b.reorganize(at(3), "bo", Some("m2")).unwrap();
    let live = b.state().rollup().unwrap();
    assert_eq!(cell(&live, "m1", q(1), BestCase), t(0, 0, 0));
    assert_eq!(cell(&live, "m2", q(1), BestCase), t(1, 3000, 1200));
    // The stored snapshot did not move: bo's deals still roll up to m1 there.
    let stored = b.snapshot_of(w2).unwrap();
    assert_eq!(stored, &snap2);
    assert_eq!(stored.state().rollup().unwrap(), before);
    assert_eq!(cell(&before, "m1", q(1), BestCase), t(1, 3000, 1200));
    assert_eq!(cell(&before, "m2", q(1), BestCase), t(0, 0, 0));
    assert_eq!(
        stored.state().call("m1", q(1), Commit).unwrap(),
        before_call
    );
    assert_eq!(stored.state().hierarchy().parent("bo"), Some("m1"));
    // A week's snapshot is never replaced.
    assert!(b.snapshot(at(3), w2).is_err());
    assert_eq!(b.snapshot_of(w2).unwrap(), &snap2);

    let w3 = WeekKey {
        year: 2026,
        week: 3,
    };
    let snap3 = b.snapshot(at(3), w3).unwrap().clone();
    let diff = snap2.compare(&snap3).unwrap();
    assert!(diff.deals.is_empty()); // only the hierarchy changed
    let moved: Vec<(&str, Category, u64, u64)> = diff
        .cells
        .iter()
        .map(|c| (c.node.as_str(), c.category, c.moved_in, c.moved_out))
        .collect();
    assert_eq!(
        moved,
        [
            ("m1", BestCase, 0, 1),
            ("m1", Omitted, 0, 1),
            ("m2", BestCase, 1, 0),
            ("m2", Omitted, 1, 0),
        ]
    );

    // Deal changes: A3 moves to best case, B1 grows, B2 is removed, a new deal for cy.
    b.put_deal(at(4), "ana", deal("A3", 500, day(3, 1), "Proposal", 0.3))
        .unwrap();
    b.put_deal(at(4), "bo", deal("B1", 3500, day(1, 20), "Proposal", 0.4))
        .unwrap();
    b.remove_deal(at(4), "B2").unwrap();
    b.put_deal(at(4), "cy", deal("D1", 800, day(2, 5), "Discovery", 0.1))
        .unwrap();
    let snap4 = b
        .snapshot(
            at(5),
            WeekKey {
                year: 2026,
                week: 4,
            },
        )
        .unwrap();
    let diff = snap3.compare(snap4).unwrap();
    let changes: Vec<(&str, &[DealChangeKind])> = diff
        .deals
        .iter()
        .map(|d| (d.id.as_str(), d.changes.as_slice()))
        .collect();
    use DealChangeKind as K;
    assert_eq!(
        changes,
        [
            ("A3", &[K::CategoryMoved, K::ProbabilityChanged][..]),
            ("B1", &[K::AmountChanged][..]),
            ("B2", &[K::Removed][..]),
            ("D1", &[K::Added][..]),
        ]
    );
    let vp_cells: BTreeMap<Category, (i64, u64, u64, u64, u64, u64)> = diff
        .cells
        .iter()
        .filter(|c| c.node == "vp" && c.period == q(1))
        .map(|c| {
            (
                c.category,
                (
                    c.after.amount - c.before.amount,
                    c.added,
                    c.removed,
                    c.moved_in,
                    c.moved_out,
                    c.amount_changed,
                ),
            )
        })
        .collect();
    // vp, Q1: Pipeline -500 (A3 out) +800 (D1 in); BestCase +500 (A3) +500 (B1);
    // Omitted -700 (B2).
    assert_eq!(vp_cells[&Pipeline], (300, 1, 0, 0, 1, 0));
    assert_eq!(vp_cells[&BestCase], (1000, 0, 0, 1, 0, 1));
    assert_eq!(vp_cells[&Omitted], (-700, 0, 1, 0, 0, 0));
    assert!(!vp_cells.contains_key(&Closed) && !vp_cells.contains_key(&Commit));
}

#[test]
fn book_and_snapshot_round_trip_losslessly() {
    use Category::*;
    let mut b = book();
    b.override_probability(at(1), "A2", Some(0.75)).unwrap();
    b.set_quota(at(1), "ana", q(1), usd(3000)).unwrap();
    b.set_quota(at(1), "vp", q(1), usd(15000)).unwrap();
    b.submit(
        at(2),
        "ana",
        q(1),
        Commit,
        usd(2500),
        "note with \"quotes\" ✓",
    )
    .unwrap();
    b.adjust(at(3), "m1", "ana", q(1), Commit, usd(2000), "slips")
        .unwrap();
    b.snapshot(
        at(4),
        WeekKey {
            year: 2026,
            week: 2,
        },
    )
    .unwrap();
    b.reorganize(at(5), "bo", Some("m2")).unwrap();
    b.snapshot(
        at(6),
        WeekKey {
            year: 2026,
            week: 3,
        },
    )
    .unwrap();

    let json = serde_json::to_string(&b).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["version"], 1);
    let back: ForecastBook = serde_json::from_str(&json).unwrap();
    assert_eq!(back, b);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    assert_eq!(
        back.state().call("m1", q(1), Commit).unwrap(),
        b.state().call("m1", q(1), Commit).unwrap()
    );

    let snap = &b.snapshots()[0];
    let sj = serde_json::to_string_pretty(snap).unwrap();
    let sback: Snapshot = serde_json::from_str(&sj).unwrap();
    assert_eq!(&sback, snap);
    assert_eq!(
        sback.state().rollup().unwrap(),
        snap.state().rollup().unwrap()
    );

    // Another version, an invalid hierarchy or a stray owner is refused on reading.
    let mut v2 = value.clone();
    v2["version"] = 2.into();
    let err = serde_json::from_value::<ForecastBook>(v2).unwrap_err();
    assert!(
        err.to_string()
            .contains("unsupported forecast book schema_version 2")
    );
    let mut cyclic = value.clone();
    cyclic["state"]["hierarchy"] = serde_json::json!([{"node": "a", "parent": "a"}]);
    assert!(serde_json::from_value::<ForecastBook>(cyclic).is_err());
    let mut stray = value;
    stray["state"]["deals"]["A1"]["owner"] = "ghost".into();
    assert!(serde_json::from_value::<ForecastBook>(stray).is_err());
}

/// Random forests: node `i` reports to one of the nodes before it, or to no one.
fn forest() -> impl Strategy<Value = Hierarchy> {
    prop::collection::vec((any::<bool>(), any::<prop::sample::Index>()), 1..14).prop_map(|v| {
        let mut lines: Vec<L> = v
            .iter()
            .enumerate()
            .map(|(i, (has_parent, idx))| {
                if i > 0 && *has_parent {
                    L::under(format!("n{i}"), format!("n{}", idx.index(i)))
                } else {
                    L::root(format!("n{i}"))
                }
            })
            .collect();
        lines.reverse(); // children listed before their parents
        Hierarchy::new(lines).unwrap()
    })
}

fn random_deals(h: &Hierarchy) -> impl Strategy<Value = Vec<OwnedDeal>> + use<> {
    let nodes: Vec<String> = h.nodes().map(str::to_owned).collect();
    let stages = ["Discovery", "Proposal", "Negotiation", "Won", "Lost"];
    prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0i64..1_000_000_000,
            0usize..5,
            0.0f64..=1.0,
            0u64..500,
            any::<bool>(),
        ),
        0..40,
    )
    .prop_map(move |v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (owner, amount, stage, p, offset, eur))| {
                let close = day(1, 1) + chrono::Days::new(offset);
                let currency = if eur { "EUR" } else { "USD" };
                OwnedDeal::new(
                    owner.get(&nodes).clone(),
                    ForecastDeal::new(
                        format!("D{i}"),
                        Money::new(amount, currency),
                        close,
                        stages[stage],
                        p,
                    ),
                )
            })
            .collect()
    })
}

type Cells = BTreeMap<(String, PeriodKey, Category), Totals>;

fn cells_of(rows: &[leadcore::forecast::RollupRow]) -> Cells {
    rows.iter()
        .map(|r| ((r.currency.clone(), r.period, r.category), r.totals))
        .collect()
}

fn add_into(into: &mut Cells, from: &Cells) {
    for (k, v) in from {
        let e = into.entry(k.clone()).or_default();
        *e = e.checked_add(*v).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn rollups_conserve_sums_at_every_level(
        (h, deals) in forest().prop_flat_map(|h| { let d = random_deals(&h); (Just(h), d) })
    ) {
        let spec = spec();
        let r = h.rollup(&spec, &deals).unwrap();
        for (node, nr) in r.nodes() {
            let mut expected = cells_of(nr.own.rows());
            for c in h.children(node) {
                add_into(&mut expected, &cells_of(r.node(c).unwrap().total.rows()));
            }
            prop_assert_eq!(cells_of(nr.total.rows()), expected, "node {}", node);
        }
        // Roots together hold every deal exactly once.
        let mut roots = Cells::new();
        for root in h.roots() {
            add_into(&mut roots, &cells_of(r.node(root).unwrap().total.rows()));
        }
        let mut all = Cells::new();
        let pipeline = spec.pipeline();
        for d in &deals {
            let (period, category) = pipeline.place(&d.deal).unwrap();
            let e = all.entry((d.deal.amount.currency.clone(), period, category)).or_default();
            *e = e.checked_add(t(1, d.deal.amount.minor, d.deal.weighted_minor().unwrap())).unwrap();
        }
        prop_assert_eq!(roots, all);
    }

    #[test]
    fn cumulative_views_are_monotone(
        (h, deals) in forest().prop_flat_map(|h| { let d = random_deals(&h); (Just(h), d) })
    ) {
        let r = h.rollup(&spec(), &deals).unwrap();
        for (node, nr) in r.nodes() {
            let periods: std::collections::BTreeSet<PeriodKey> =
                nr.total.rows().iter().map(|row| row.period).collect();
            for period in periods {
                let mut last: BTreeMap<String, Totals> = BTreeMap::new();
                for v in Cumulative::ALL {
                    let now: BTreeMap<String, Totals> =
                        nr.cumulative(period, v).unwrap().into_iter().collect();
                    for (cur, prev) in &last {
                        let cur_t = now.get(cur).copied().unwrap_or_default();
                        prop_assert!(
                            cur_t.count >= prev.count
                                && cur_t.amount >= prev.amount
                                && cur_t.weighted >= prev.weighted,
                            "node {} {:?} {}: {:?} < {:?}", node, v, cur, cur_t, prev
                        );
                    }
                    last = now;
                }
            }
        }
    }

    #[test]
    fn validation_accepts_exactly_the_acyclic_closed_forests(
        parents in prop::collection::vec(prop::option::of(0usize..10), 1..10)
    ) {
        let n = parents.len();
        let lines: Vec<L> = parents
            .iter()
            .enumerate()
            .map(|(i, p)| match p {
                Some(p) => L::under(format!("n{i}"), format!("n{p}")),
                None => L::root(format!("n{i}")),
            })
            .collect();
        // Naive: every chain of parents reaches a root within n steps, through known nodes.
        let ok = (0..n).all(|start| {
            let mut at = Some(start);
            for _ in 0..=n {
                match at {
                    None => return true,
                    Some(i) if i >= n => return false,
                    Some(i) => at = parents[i],
                }
            }
            false
        });
        let got = Hierarchy::new(lines);
        prop_assert_eq!(got.is_ok(), ok, "{:?}", got.err().map(|e| e.issues().to_vec()));
    }
}
