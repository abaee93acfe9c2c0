//! The reporting hierarchy (reps at the leaves, managers and VPs above) and the forecast
//! rolled up along it: per node, per fiscal span, per category and per currency, with the
//! cumulative views, quotas, attainment and coverage.

use super::calendar::{FiscalCalendar, Granularity, PeriodKey};
use super::category::{Category, CategoryMap};
use super::pipeline::{CurrencyTotals, ForecastDeal, Totals, WeightedPipeline};
use crate::error::{Error, ErrorKind, Issue, Result};
use crate::model::Money;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// One reporting line: a node (a rep, a manager, a VP) and the node it reports to.
///
/// ```
/// use leadcore::forecast::ReportingLine;
/// let line = ReportingLine::under("ana", "max");
/// assert_eq!(line.parent.as_deref(), Some("max"));
/// assert_eq!(ReportingLine::root("vp").parent, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingLine {
    /// The node's id.
    pub node: String,
    /// The node it reports to; `None` for a root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

impl ReportingLine {
    /// A node that reports to no one.
    pub fn root(node: impl Into<String>) -> Self {
        ReportingLine {
            node: node.into(),
            parent: None,
        }
    }

    /// A node that reports to `parent`.
    pub fn under(node: impl Into<String>, parent: impl Into<String>) -> Self {
        ReportingLine {
            node: node.into(),
            parent: Some(parent.into()),
        }
    }
}

/// A validated reporting hierarchy: a tree or a forest of any depth. Built from reporting
/// lines; every problem is reported at once as a `playbook.invalid` error whose issues are
/// located at `hierarchy[i].node` / `hierarchy[i].parent` with codes
/// `hierarchy.empty_node`, `hierarchy.duplicate_node`, `hierarchy.unknown_parent` and
/// `hierarchy.cycle` (the hierarchy is the reps section of a playbook's catalog).
///
/// Serialised as its reporting lines, sorted by node; read back through the same validation.
///
/// ```
/// use leadcore::forecast::{Hierarchy, ReportingLine as L};
/// let h = Hierarchy::new([L::root("vp"), L::under("max", "vp"), L::under("ana", "max")]).unwrap();
/// assert_eq!(h.ancestors("ana"), ["max", "vp"]);
/// let bad = Hierarchy::new([L::under("a", "b"), L::under("b", "a"), L::under("c", "zz")]).unwrap_err();
/// let codes: Vec<_> = bad.issues().iter().map(|i| i.code.as_str()).collect();
/// assert_eq!(codes, ["hierarchy.unknown_parent", "hierarchy.cycle"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<ReportingLine>", into = "Vec<ReportingLine>")]
pub struct Hierarchy {
    parents: BTreeMap<String, Option<String>>,
    children: BTreeMap<String, Vec<String>>,
    depth: BTreeMap<String, usize>,
}

impl TryFrom<Vec<ReportingLine>> for Hierarchy {
    type Error = Error;
    fn try_from(lines: Vec<ReportingLine>) -> Result<Self> {
        Hierarchy::new(lines)
    }
}

impl From<Hierarchy> for Vec<ReportingLine> {
    fn from(h: Hierarchy) -> Self {
        h.lines()
    }
}

impl Hierarchy {
    /// Validates reporting lines into a hierarchy, reporting every problem at once.
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// let err = Hierarchy::new([L::root("a"), L::root("a"), L::under("b", "b")]).unwrap_err();
    /// assert_eq!(err.code(), "playbook.invalid");
    /// assert_eq!(err.issues()[0].path, "hierarchy[1].node");
    /// assert_eq!(err.issues()[1].code, "hierarchy.cycle");
    /// ```
    pub fn new(lines: impl IntoIterator<Item = ReportingLine>) -> Result<Hierarchy> {
        let lines: Vec<ReportingLine> = lines.into_iter().collect();
        let mut issues = Vec::new();
        let mut parents: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut line_of: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, line) in lines.iter().enumerate() {
            if line.node.is_empty() {
                issues.push(Issue::new(
                    format!("hierarchy[{i}].node"),
                    "hierarchy.empty_node",
                    "a node needs a non-empty id",
                ));
            } else if line_of.contains_key(line.node.as_str()) {
                issues.push(Issue::new(
                    format!("hierarchy[{i}].node"),
                    "hierarchy.duplicate_node",
                    format!("node `{}` is listed more than once", line.node),
                ));
            } else {
                line_of.insert(&line.node, i);
                parents.insert(line.node.clone(), line.parent.clone());
            }
        }
        for (node, &i) in &line_of {
            if let Some(Some(p)) = parents.get(*node)
                && !parents.contains_key(p)
            {
                issues.push(Issue::new(
                    format!("hierarchy[{i}].parent"),
                    "hierarchy.unknown_parent",
                    format!("node `{node}` reports to `{p}`, which is not in the hierarchy"),
                ));
            }
        }
        issues.sort_by_key(|issue| issue_line(&issue.path));
        // Cycles: walk up from each node; a walk that meets itself is a cycle, reported once.
        let mut done: BTreeSet<&str> = BTreeSet::new();
        for line in &lines {
            let start = line.node.as_str();
            if done.contains(start) || !parents.contains_key(start) {
                continue;
            }
            let mut path: Vec<&str> = Vec::new();
            let mut at = Some(start);
            while let Some(node) = at {
                if done.contains(node) {
                    break;
                }
                if let Some(pos) = path.iter().position(|n| *n == node) {
                    let cycle = path.get(pos..).unwrap_or_default();
                    let first = cycle
                        .iter()
                        .min_by_key(|n| line_of.get(**n))
                        .copied()
                        .unwrap_or(node);
                    let i = line_of.get(first).copied().unwrap_or(0);
                    let mut names: Vec<&str> = cycle.to_vec();
                    names.push(node);
                    issues.push(Issue::new(
                        format!("hierarchy[{i}].parent"),
                        "hierarchy.cycle",
                        format!("reporting lines form a cycle: {}", names.join(" -> ")),
                    ));
                    break;
                }
                path.push(node);
                at = match parents.get(node) {
                    Some(Some(p)) if parents.contains_key(p) => Some(p.as_str()),
                    _ => None,
                };
            }
            done.extend(path);
        }
        if !issues.is_empty() {
            return Err(ErrorKind::InvalidPlaybook(issues).into());
        }
        Ok(Hierarchy::build(parents))
    }

    /// Children lists and depths of validated (acyclic, closed) parent links.
    fn build(parents: BTreeMap<String, Option<String>>) -> Hierarchy {
        let mut children: BTreeMap<String, Vec<String>> =
            parents.keys().map(|n| (n.clone(), Vec::new())).collect();
        for (node, parent) in &parents {
            if let Some(p) = parent
                && let Some(list) = children.get_mut(p)
            {
                list.push(node.clone());
            }
        }
        let mut depth = BTreeMap::new();
        let mut queue: VecDeque<(&String, usize)> = parents
            .iter()
            .filter(|(_, p)| p.is_none())
            .map(|(n, _)| (n, 0))
            .collect();
        while let Some((node, d)) = queue.pop_front() {
            depth.insert(node.clone(), d);
            for c in children.get(node).map(Vec::as_slice).unwrap_or_default() {
                queue.push_back((c, d + 1));
            }
        }
        Hierarchy {
            parents,
            children,
            depth,
        }
    }

    /// Its reporting lines, sorted by node.
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// let h = Hierarchy::new([L::under("b", "a"), L::root("a")]).unwrap();
    /// assert_eq!(h.lines(), [L::root("a"), L::under("b", "a")]);
    /// ```
    pub fn lines(&self) -> Vec<ReportingLine> {
        self.parents
            .iter()
            .map(|(node, parent)| ReportingLine {
                node: node.clone(),
                parent: parent.clone(),
            })
            .collect()
    }

    /// The same hierarchy with `node` added under `parent` (or as a root), or moved there if
    /// it exists: a reorganisation, validated like a new hierarchy.
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// let h = Hierarchy::new([L::root("vp"), L::under("m1", "vp"), L::under("m2", "vp"), L::under("ana", "m1")]).unwrap();
    /// let moved = h.with_node("ana", Some("m2")).unwrap();
    /// assert_eq!(moved.parent("ana"), Some("m2"));
    /// assert!(h.with_node("vp", Some("ana")).is_err()); // a cycle
    /// ```
    pub fn with_node(&self, node: &str, parent: Option<&str>) -> Result<Hierarchy> {
        let mut lines = self.lines();
        let line = ReportingLine {
            node: node.to_owned(),
            parent: parent.map(str::to_owned),
        };
        match lines.iter_mut().find(|l| l.node == node) {
            Some(l) => *l = line,
            None => lines.push(line),
        }
        Hierarchy::new(lines)
    }

    /// Number of nodes.
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// assert_eq!(Hierarchy::new([L::root("a")]).unwrap().len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.parents.len()
    }

    /// Whether there is no node.
    ///
    /// ```
    /// assert!(leadcore::forecast::Hierarchy::new([]).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    /// Every node, sorted.
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// let h = Hierarchy::new([L::under("b", "a"), L::root("a")]).unwrap();
    /// assert_eq!(h.nodes().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn nodes(&self) -> impl Iterator<Item = &str> {
        self.parents.keys().map(String::as_str)
    }

    /// Whether `node` is in the hierarchy.
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// assert!(Hierarchy::new([L::root("a")]).unwrap().contains("a"));
    /// ```
    pub fn contains(&self, node: &str) -> bool {
        self.parents.contains_key(node)
    }

    /// The node `node` reports to (`None` for a root or an unknown node).
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// let h = Hierarchy::new([L::under("b", "a"), L::root("a")]).unwrap();
    /// assert_eq!((h.parent("b"), h.parent("a")), (Some("a"), None));
    /// ```
    pub fn parent(&self, node: &str) -> Option<&str> {
        self.parents.get(node).and_then(|p| p.as_deref())
    }

    /// The nodes reporting directly to `node`, sorted (empty for a leaf or an unknown node).
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// let h = Hierarchy::new([L::root("a"), L::under("c", "a"), L::under("b", "a")]).unwrap();
    /// assert_eq!(h.children("a"), ["b", "c"]);
    /// ```
    pub fn children(&self, node: &str) -> &[String] {
        self.children
            .get(node)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The roots (one for a tree, several for a forest), sorted.
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// let h = Hierarchy::new([L::root("x"), L::root("a"), L::under("b", "a")]).unwrap();
    /// assert_eq!(h.roots(), ["a", "x"]);
    /// ```
    pub fn roots(&self) -> Vec<&str> {
        self.parents
            .iter()
            .filter(|(_, p)| p.is_none())
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// Distance from the node's root (0 for a root; `None` for an unknown node).
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// let h = Hierarchy::new([L::root("a"), L::under("b", "a")]).unwrap();
    /// assert_eq!(h.depth("b"), Some(1));
    /// ```
    pub fn depth(&self, node: &str) -> Option<usize> {
        self.depth.get(node).copied()
    }

    /// The nodes above `node`, nearest first.
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// let h = Hierarchy::new([L::root("a"), L::under("b", "a"), L::under("c", "b")]).unwrap();
    /// assert_eq!(h.ancestors("c"), ["b", "a"]);
    /// ```
    pub fn ancestors(&self, node: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut at = self.parent(node);
        while let Some(p) = at {
            out.push(p);
            at = self.parent(p);
        }
        out
    }

    /// Whether `ancestor` is strictly above `node`.
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// let h = Hierarchy::new([L::root("a"), L::under("b", "a"), L::under("c", "b")]).unwrap();
    /// assert!(h.is_ancestor("a", "c") && !h.is_ancestor("c", "a") && !h.is_ancestor("c", "c"));
    /// ```
    pub fn is_ancestor(&self, ancestor: &str, node: &str) -> bool {
        self.ancestors(node).contains(&ancestor)
    }

    /// `node` and every node below it, top-down (breadth first).
    ///
    /// ```
    /// use leadcore::forecast::{Hierarchy, ReportingLine as L};
    /// let h = Hierarchy::new([L::root("a"), L::under("b", "a"), L::under("c", "b"), L::root("x")]).unwrap();
    /// assert_eq!(h.subtree("a"), ["a", "b", "c"]);
    /// ```
    pub fn subtree(&self, node: &str) -> Vec<&str> {
        let Some((first, _)) = self.parents.get_key_value(node) else {
            return Vec::new();
        };
        let mut out = vec![first.as_str()];
        let mut i = 0;
        while let Some(&n) = out.get(i) {
            out.extend(self.children(n).iter().map(String::as_str));
            i += 1;
        }
        out
    }

    /// The forecast rolled up along the hierarchy. Each deal counts in its owner's `own`
    /// cells; a node's `total` is its own plus its children's totals, so every level
    /// conserves sums. A deal whose owner is not in the hierarchy is an `input.invalid` error.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use leadcore::forecast::*;
    /// use leadcore::Money;
    /// let h = Hierarchy::new([ReportingLine::root("max"), ReportingLine::under("ana", "max")]).unwrap();
    /// let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter,
    ///     CategoryMap::new(Category::Pipeline).stage("Won", Category::Closed));
    /// let day = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    /// let deals = [
    ///     OwnedDeal::new("ana", ForecastDeal::new("O1", Money::new(100, "USD"), day, "Won", 1.0)),
    ///     OwnedDeal::new("max", ForecastDeal::new("O2", Money::new(50, "USD"), day, "Demo", 0.5)),
    /// ];
    /// let r = h.rollup(&spec, &deals).unwrap();
    /// let q1 = spec.period_of(day).unwrap();
    /// let all = r.node("max").unwrap().cumulative_total(q1, Cumulative::Pipeline).unwrap();
    /// assert_eq!((all.totals.count, all.totals.amount, all.totals.weighted), (2, 150, 125));
    /// ```
    pub fn rollup(&self, spec: &RollupSpec, deals: &[OwnedDeal]) -> Result<HierarchyRollup> {
        let mut own: BTreeMap<&str, WeightedPipeline> =
            self.nodes().map(|n| (n, spec.pipeline())).collect();
        for d in deals {
            let Some(p) = own.get_mut(d.owner.as_str()) else {
                return Err(Error::invalid_input(format!(
                    "deal {}: owner `{}` is not in the hierarchy",
                    d.deal.id, d.owner
                )));
            };
            p.add(&d.deal)?;
        }
        let mut order: Vec<&str> = self.nodes().collect();
        order.sort_by_key(|n| std::cmp::Reverse(self.depth(n)));
        let mut nodes: BTreeMap<String, NodeRollup> = BTreeMap::new();
        for node in order {
            let mine = own.remove(node).unwrap_or_else(|| spec.pipeline());
            let mut total = mine.clone();
            for c in self.children(node) {
                if let Some(child) = nodes.get(c) {
                    total.merge(&child.total)?;
                }
            }
            nodes.insert(node.to_owned(), NodeRollup { own: mine, total });
        }
        Ok(HierarchyRollup { nodes })
    }
}

/// The line number in an issue path `hierarchy[i]...`, for ordering issues.
fn issue_line(path: &str) -> usize {
    path.strip_prefix("hierarchy[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// How deals are placed: the fiscal calendar, the span granularity and the stage → category
/// map.
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::forecast::{Category, CategoryMap, FiscalCalendar, Granularity, RollupSpec};
/// let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
/// assert_eq!(spec.period_of(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()).unwrap().index, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollupSpec {
    /// The fiscal calendar.
    pub calendar: FiscalCalendar,
    /// The spans rolled up over.
    pub granularity: Granularity,
    /// Stage → category.
    pub categories: CategoryMap,
}

impl RollupSpec {
    /// A spec from its parts.
    pub fn new(
        calendar: FiscalCalendar,
        granularity: Granularity,
        categories: CategoryMap,
    ) -> Self {
        RollupSpec {
            calendar,
            granularity,
            categories,
        }
    }

    /// An empty weighted pipeline with this spec.
    ///
    /// ```
    /// use leadcore::forecast::{Category, CategoryMap, FiscalCalendar, Granularity, RollupSpec};
    /// let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Year, CategoryMap::new(Category::Pipeline));
    /// assert!(spec.pipeline().rows().is_empty());
    /// ```
    pub fn pipeline(&self) -> WeightedPipeline {
        WeightedPipeline::new(self.calendar, self.granularity, self.categories.clone())
    }

    /// The span of this spec's granularity that contains `date`.
    pub fn period_of(&self, date: chrono::NaiveDate) -> Result<PeriodKey> {
        self.calendar.key_of(date, self.granularity)
    }

    /// Checks that `period` is a span of this spec's granularity with a valid index.
    ///
    /// ```
    /// use leadcore::forecast::{Category, CategoryMap, FiscalCalendar, Granularity, PeriodKey, RollupSpec};
    /// let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// assert!(spec.check_period(PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 5 }).is_err());
    /// assert!(spec.check_period(PeriodKey { year: 2026, granularity: Granularity::Year, index: 1 }).is_err());
    /// ```
    pub fn check_period(&self, period: PeriodKey) -> Result<()> {
        if period.granularity != self.granularity {
            return Err(Error::invalid_input(format!(
                "span {period:?} is not of the forecast's granularity {:?}",
                self.granularity
            )));
        }
        self.calendar.bounds(period).map(|_| ())
    }
}

/// A deal and the node (rep) that owns it.
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::{forecast::{ForecastDeal, OwnedDeal}, Money};
/// let d = OwnedDeal::new("ana", ForecastDeal::new("O1", Money::new(5, "EUR"), NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(), "Demo", 0.5));
/// assert_eq!(d.owner, "ana");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnedDeal {
    /// The owning node.
    pub owner: String,
    /// The deal.
    pub deal: ForecastDeal,
}

impl OwnedDeal {
    /// A deal owned by `owner`.
    pub fn new(owner: impl Into<String>, deal: ForecastDeal) -> Self {
        OwnedDeal {
            owner: owner.into(),
            deal,
        }
    }
}

/// The cumulative forecast views ("forecast rollups"): each includes the categories of the
/// views before it. `Omitted` is in none.
///
/// ```
/// use leadcore::forecast::{Category, Cumulative};
/// assert_eq!(Cumulative::Commit.categories(), [Category::Closed, Category::Commit]);
/// assert!(!Cumulative::Pipeline.categories().contains(&Category::Omitted));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cumulative {
    /// Closed only.
    Closed,
    /// Closed + Commit.
    Commit,
    /// Closed + Commit + Best case.
    BestCase,
    /// Closed + Commit + Best case + Pipeline: everything not omitted.
    Pipeline,
}

impl Cumulative {
    /// Every view, narrowest first.
    pub const ALL: [Cumulative; 4] = [
        Cumulative::Closed,
        Cumulative::Commit,
        Cumulative::BestCase,
        Cumulative::Pipeline,
    ];

    /// The categories the view sums.
    pub fn categories(self) -> &'static [Category] {
        const ORDER: [Category; 4] = [
            Category::Closed,
            Category::Commit,
            Category::BestCase,
            Category::Pipeline,
        ];
        let n = match self {
            Cumulative::Closed => 1,
            Cumulative::Commit => 2,
            Cumulative::BestCase => 3,
            Cumulative::Pipeline => 4,
        };
        ORDER.get(..n).unwrap_or(&ORDER)
    }
}

/// One node's roll-up: its own deals, and its own plus everything below it.
///
/// ```
/// use leadcore::forecast::{Category, CategoryMap, FiscalCalendar, Granularity, Hierarchy, ReportingLine, RollupSpec};
/// let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
/// let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
/// let r = h.rollup(&spec, &[]).unwrap();
/// assert!(r.node("ana").unwrap().total.rows().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeRollup {
    /// The node's own deals.
    pub own: WeightedPipeline,
    /// Own deals plus every descendant's.
    pub total: WeightedPipeline,
}

impl NodeRollup {
    /// Totals per currency of a cumulative view of the node's total in `period`.
    ///
    /// ```
    /// use leadcore::forecast::{Category, CategoryMap, Cumulative, FiscalCalendar, Granularity, Hierarchy, PeriodKey, ReportingLine, RollupSpec};
    /// let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
    /// let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Year, CategoryMap::new(Category::Pipeline));
    /// let y = PeriodKey { year: 2026, granularity: Granularity::Year, index: 1 };
    /// assert!(h.rollup(&spec, &[]).unwrap().node("ana").unwrap().cumulative(y, Cumulative::Closed).unwrap().is_empty());
    /// ```
    pub fn cumulative(&self, period: PeriodKey, view: Cumulative) -> Result<Vec<(String, Totals)>> {
        self.total.totals_by_currency(period, view.categories())
    }

    /// The total of a cumulative view in its one currency (mixed currencies are an
    /// `input.invalid` error).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use leadcore::forecast::*;
    /// use leadcore::Money;
    /// let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
    /// let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
    /// let day = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    /// let deals = [
    ///     OwnedDeal::new("ana", ForecastDeal::new("O1", Money::new(1, "USD"), day, "Demo", 0.5)),
    ///     OwnedDeal::new("ana", ForecastDeal::new("O2", Money::new(1, "EUR"), day, "Demo", 0.5)),
    /// ];
    /// let r = h.rollup(&spec, &deals).unwrap();
    /// let ana = r.node("ana").unwrap();
    /// assert_eq!(ana.cumulative(spec.period_of(day).unwrap(), Cumulative::Pipeline).unwrap().len(), 2);
    /// assert!(ana.cumulative_total(spec.period_of(day).unwrap(), Cumulative::Pipeline).is_err());
    /// ```
    pub fn cumulative_total(&self, period: PeriodKey, view: Cumulative) -> Result<CurrencyTotals> {
        self.total.total(period, view.categories())
    }

    /// Attainment and coverage of the node's total in `period` against `quota`:
    /// attainment = closed / quota (`None` without a positive quota); coverage = open pipeline
    /// (Pipeline + Best case + Commit, unweighted) / (quota − closed) (`None` without a quota
    /// or once the quota is reached). Never NaN. A quota in another currency than the deals,
    /// or deals in several currencies, is an `input.invalid` error.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use leadcore::forecast::*;
    /// use leadcore::Money;
    /// let h = Hierarchy::new([ReportingLine::root("ana")]).unwrap();
    /// let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter,
    ///     CategoryMap::new(Category::Pipeline).stage("Won", Category::Closed));
    /// let day = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    /// let deals = [
    ///     OwnedDeal::new("ana", ForecastDeal::new("O1", Money::new(400, "USD"), day, "Won", 1.0)),
    ///     OwnedDeal::new("ana", ForecastDeal::new("O2", Money::new(1200, "USD"), day, "Demo", 0.3)),
    /// ];
    /// let r = h.rollup(&spec, &deals).unwrap();
    /// let a = r.node("ana").unwrap().attainment(spec.period_of(day).unwrap(), Some(&Money::new(1000, "USD"))).unwrap();
    /// assert_eq!((a.attainment, a.coverage), (Some(0.4), Some(2.0)));
    /// ```
    pub fn attainment(&self, period: PeriodKey, quota: Option<&Money>) -> Result<Attainment> {
        let closed = self.total.total(period, &[Category::Closed])?;
        let open = self.total.total(
            period,
            &[Category::Pipeline, Category::BestCase, Category::Commit],
        )?;
        let mut currency = None;
        for c in [&closed.currency, &open.currency]
            .into_iter()
            .flatten()
            .chain(quota.map(|q| &q.currency))
        {
            match &currency {
                None => currency = Some(c.clone()),
                Some(have) if have == c => {}
                Some(have) => {
                    return Err(Error::invalid_input(format!(
                        "mixed currencies without exchange rates: {have}, {c}"
                    )));
                }
            }
        }
        let (closed, open) = (closed.totals.amount, open.totals.amount);
        let q = quota.map(|q| q.minor);
        let attainment = q.filter(|&q| q > 0).map(|q| closed as f64 / q as f64);
        let coverage = q
            .and_then(|q| q.checked_sub(closed))
            .filter(|&gap| gap > 0)
            .map(|gap| open as f64 / gap as f64);
        Ok(Attainment {
            period,
            currency,
            quota: q,
            closed,
            open,
            attainment,
            coverage,
        })
    }
}

/// Attainment and coverage of one node in one span.
///
/// ```
/// use leadcore::forecast::{Attainment, Granularity, PeriodKey};
/// let a = Attainment { period: PeriodKey { year: 2026, granularity: Granularity::Year, index: 1 },
///     currency: None, quota: None, closed: 0, open: 0, attainment: None, coverage: None };
/// assert!(a.attainment.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attainment {
    /// The span.
    pub period: PeriodKey,
    /// The currency of the deals and the quota (`None` with neither).
    pub currency: Option<String>,
    /// The quota in minor units, when there is one.
    pub quota: Option<i64>,
    /// Closed won amount.
    pub closed: i64,
    /// Open pipeline amount (Pipeline + Best case + Commit, unweighted).
    pub open: i64,
    /// closed / quota; `None` without a positive quota.
    pub attainment: Option<f64>,
    /// open / (quota − closed); `None` without a quota or once it is reached.
    pub coverage: Option<f64>,
}

/// The roll-up of every node of a hierarchy.
///
/// ```
/// use leadcore::forecast::{Category, CategoryMap, FiscalCalendar, Granularity, Hierarchy, ReportingLine, RollupSpec};
/// let h = Hierarchy::new([ReportingLine::root("a"), ReportingLine::under("b", "a")]).unwrap();
/// let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
/// let r = h.rollup(&spec, &[]).unwrap();
/// assert_eq!(r.nodes().map(|(n, _)| n).collect::<Vec<_>>(), ["a", "b"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HierarchyRollup {
    nodes: BTreeMap<String, NodeRollup>,
}

impl HierarchyRollup {
    /// One node's roll-up.
    pub fn node(&self, node: &str) -> Option<&NodeRollup> {
        self.nodes.get(node)
    }

    /// Every node's roll-up, sorted by node.
    pub fn nodes(&self) -> impl Iterator<Item = (&str, &NodeRollup)> {
        self.nodes.iter().map(|(n, r)| (n.as_str(), r))
    }
}

/// What a node's quota is when none is given for it.
///
/// ```
/// use leadcore::forecast::QuotaMode;
/// assert_eq!(serde_json::to_string(&QuotaMode::SumChildren).unwrap(), r#""sum_children""#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaMode {
    /// Only given quotas count; a node without one has none.
    #[default]
    GivenOnly,
    /// A node without a given quota has the sum of its children's quotas (each resolved the
    /// same way), when at least one child has one. A given quota always wins.
    SumChildren,
}

/// A quota given for one node and span.
///
/// ```
/// use leadcore::forecast::{Granularity, NodeQuota, PeriodKey};
/// use leadcore::Money;
/// let q = NodeQuota { node: "ana".into(), period: PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 }, amount: Money::new(1000, "USD") };
/// assert_eq!(q.amount.minor, 1000);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeQuota {
    /// The node.
    pub node: String,
    /// The span.
    pub period: PeriodKey,
    /// The target.
    pub amount: Money,
}

/// Quotas per node and span (at most one each). Serialised as a list of [`NodeQuota`].
///
/// ```
/// use leadcore::forecast::{Granularity, Hierarchy, PeriodKey, QuotaMode, Quotas, ReportingLine as L};
/// use leadcore::Money;
/// let h = Hierarchy::new([L::root("m"), L::under("a", "m"), L::under("b", "m")]).unwrap();
/// let q1 = PeriodKey { year: 2026, granularity: Granularity::Quarter, index: 1 };
/// let mut q = Quotas::default();
/// q.set("a", q1, Money::new(100, "USD")).unwrap();
/// q.set("b", q1, Money::new(50, "USD")).unwrap();
/// assert_eq!(q.resolve(&h, "m", q1, QuotaMode::GivenOnly).unwrap(), None);
/// assert_eq!(q.resolve(&h, "m", q1, QuotaMode::SumChildren).unwrap(), Some(Money::new(150, "USD")));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<NodeQuota>", into = "Vec<NodeQuota>")]
pub struct Quotas {
    map: BTreeMap<(String, PeriodKey), Money>,
}

impl TryFrom<Vec<NodeQuota>> for Quotas {
    type Error = Error;
    fn try_from(list: Vec<NodeQuota>) -> Result<Self> {
        let mut q = Quotas::default();
        for n in list {
            if q.get(&n.node, n.period).is_some() {
                return Err(Error::invalid_input(format!(
                    "two quotas for node `{}` in {:?}",
                    n.node, n.period
                )));
            }
            q.set(n.node, n.period, n.amount)?;
        }
        Ok(q)
    }
}

impl From<Quotas> for Vec<NodeQuota> {
    fn from(q: Quotas) -> Self {
        q.list()
    }
}

impl Quotas {
    /// Sets (or replaces) the quota of `node` in `period`. A negative amount or an empty
    /// currency is an `input.invalid` error.
    pub fn set(&mut self, node: impl Into<String>, period: PeriodKey, amount: Money) -> Result<()> {
        check_money("quota", &amount)?;
        self.map.insert((node.into(), period), amount);
        Ok(())
    }

    /// The quota given for `node` in `period`.
    pub fn get(&self, node: &str, period: PeriodKey) -> Option<&Money> {
        self.map.get(&(node.to_owned(), period))
    }

    /// Every given quota, sorted by node and span.
    pub fn list(&self) -> Vec<NodeQuota> {
        self.map
            .iter()
            .map(|((node, period), amount)| NodeQuota {
                node: node.clone(),
                period: *period,
                amount: amount.clone(),
            })
            .collect()
    }

    /// The quota of `node` in `period` under `mode` (see [`QuotaMode`]). Children's quotas
    /// in different currencies are an `input.invalid` error.
    pub fn resolve(
        &self,
        hierarchy: &Hierarchy,
        node: &str,
        period: PeriodKey,
        mode: QuotaMode,
    ) -> Result<Option<Money>> {
        if !hierarchy.contains(node) {
            return Err(Error::invalid_input(format!(
                "node `{node}` is not in the hierarchy"
            )));
        }
        if mode == QuotaMode::GivenOnly {
            return Ok(self.get(node, period).cloned());
        }
        let order = hierarchy.subtree(node);
        let mut resolved: BTreeMap<&str, Option<Money>> = BTreeMap::new();
        for &n in order.iter().rev() {
            let q = match self.get(n, period) {
                Some(given) => Some(given.clone()),
                None => {
                    let mut sum: Option<Money> = None;
                    for c in hierarchy.children(n) {
                        if let Some(Some(cq)) = resolved.get(c.as_str()) {
                            sum = Some(add_money(sum, cq)?);
                        }
                    }
                    sum
                }
            };
            resolved.insert(n, q);
        }
        Ok(resolved.remove(node).flatten())
    }
}

/// `sum + m`, refusing mixed currencies and overflow.
fn add_money(sum: Option<Money>, m: &Money) -> Result<Money> {
    match sum {
        None => Ok(m.clone()),
        Some(s) if s.currency != m.currency => Err(Error::invalid_input(format!(
            "mixed currencies without exchange rates: {}, {}",
            s.currency, m.currency
        ))),
        Some(s) => Ok(Money {
            minor: s
                .minor
                .checked_add(m.minor)
                .ok_or_else(|| Error::invalid_input("amounts overflow i64 minor units"))?,
            currency: s.currency,
        }),
    }
}

/// Refuses a negative amount or an empty currency.
pub(crate) fn check_money(what: &str, m: &Money) -> Result<()> {
    if m.minor < 0 {
        return Err(Error::invalid_input(format!(
            "{what}: negative amount {}",
            m.minor
        )));
    }
    if m.currency.is_empty() {
        return Err(Error::invalid_input(format!("{what}: no currency")));
    }
    Ok(())
}
