"""The realistic batch-scoring fixture (issue 12) scored by the strongest honest peers.

    cargo run --release --example realistic_fixture -- target/realistic-fixture
    .venv/bin/python benches/scoring_realistic.py target/realistic-fixture [--tol 1e-9] [--strict]

The fixture (benches/realistic.rs: 10 M events over 100 k lead ids, lognormal activity per
lead, Zipf pages, campaigns, forms and content, 180 days) and its playbook
(benches/fixtures/realistic_playbook.yaml: 20 behaviour rules, read back from meta.json, so
this script follows the playbook rather than a copy of it) are scored by:

* pandas, the obvious way: a DataFrame (strings as categoricals, time on page nullable),
  boolean masks per rule, `.str` tests, `sort_values` + `groupby().head()` for occurrence
  limits, `groupby().sum()` per rule;
* numpy/pandas as a careful data scientist writes it: dictionary codes, every string test once
  per distinct value, one `flatnonzero` per kind, windows as binary-searched ranges of the
  sorted times (`np.searchsorted`), occurrence limits of non-decaying rules in closed form
  (`p * min(count, n)`), `groupby().cumcount()` only for decaying limited rules,
  `np.bincount` sums, `np.clip`;
* polars: one lazy query per rule, all collected at once (`pl.collect_all`), with
  `POLARS_MAX_THREADS` = `--threads` (default 1: every contender on one core);
* leadcore's Python door (if `import leadcore` works; build it with `maturin develop
  --release`): `Playbook.score_columns` (Arrow out, read into numpy) on a pyarrow table, a
  polars DataFrame and a pandas DataFrame, and `score_many` (DataFrame out) on the pyarrow
  table. Lead ids go in as they are, int64 (`lead_id` of the events, `id` of the leads);
  text columns as a data scientist holds them: pyarrow dictionaries, polars `Enum`s (a
  `Categorical` costs polars about 70 ms per column to export), pandas `Categorical`s. A door
  build that refuses integer ids gets dictionary-encoded decimal strings, which the script
  says.

Every contender gets its input ready-made (arrays, a DataFrame, a pyarrow table: what it would
hold after reading a file) and is timed from there to one score per lead (best of 3). Each
computes the IEEE-double value of every term (half-life `p * 2^(-age/h)` with `np.exp2`, step
`p * keep^floor(age/period)`, expiry `p` or 0) and sums them; their scores must agree within
1e-12 relative (1e-9 absolute near zero), or the script fails. leadcore's scores (and its
per-rule points, `rule_points.f64`) are compared with the careful numpy reference and the
largest relative difference printed; it fails the run only with `--strict` and a difference
above `--tol`. The Rust core's time is measured in the same run, between the contenders:
before each one (and at the end) `target/release/examples/realistic_core` scores the
fixture's own columns once on one thread and once on two (after a warm-up batch, in a
process of its own; `LEADCORE_CORE_BIN` names another build; `cargo build --release
--example realistic_core`), and the best of those runs is the core's time, so that every
ratio compares times of one run on one state of the machine. Without that binary the core's
best of 5 from meta.json (written when the fixture was made) is used, and said so. The
door's `score_columns` on pyarrow runs on two threads (`threads=2`) too. Ratios are to the
core's one-thread time.

Rule semantics, as in crates/leadcore/src/scoring/evaluate.rs (`Tally::from_sorted`) and
`evaluate`: events after `now` never count; a window keeps times `>= now - window`; of the
events left (matching kind and filters) the earliest `limit` per lead count (`once` = 1,
`{at_most: n}` = n); each term is `points * factor(now - at)`; a rule's points are capped at
`±max_points`; a group's sum is capped above at its cap (no floor); the model's total is set
to its cap if above it, else to its floor if below it. A filter on a missing attribute is
false (only `missing` is true of it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np

NULL = 0xFFFFFFFF
DAY = 86_400
TEXT_ATTRS = {"page": "pages", "campaign": "campaigns", "form_id": "form_ids", "content_id": "content_ids"}
INT_ATTRS = {"seconds"}


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    filters: tuple[tuple[str, str, Any], ...]
    points: float
    limit: int | None  # None: every occurrence
    max_points: float | None
    window: int | None  # seconds
    group: str | None
    decay: tuple | None  # ("half_life", h s) | ("step", keep, period s) | ("expiry", s)


def parse_decay(d: dict | None) -> tuple | None:
    if d is None or d["type"] == "none":
        return None
    if d["type"] == "half_life":
        return ("half_life", d["days"] * DAY)
    if d["type"] == "step":
        return ("step", 1.0 - d["percent"] / 100.0, max(d["period_days"], 1) * DAY)
    if d["type"] == "expiry":
        return ("expiry", d["days"] * DAY)
    raise NotImplementedError(f"decay {d}")


def parse_model(meta: dict) -> tuple[dict, list[Rule]]:
    models = meta["playbook"]["scoring"]["models"]
    if len(models) != 1 or models[0].get("combine"):
        raise NotImplementedError("one model without `combine` expected")
    model = models[0]
    rules = []
    for r in model["rules"]:
        if r["type"] != "behaviour" or r.get("when"):
            raise NotImplementedError(f"rule {r['name']}: only behaviour rules with filters")
        occ = r.get("occurrence", "every")
        limit = None if occ == "every" else 1 if occ == "once" else int(occ["at_most"])
        filters = []
        for f in r.get("filters", []):
            if f.get("case_insensitive"):
                raise NotImplementedError("case_insensitive filters")
            if f["attr"] not in TEXT_ATTRS and f["attr"] not in INT_ATTRS:
                raise NotImplementedError(f"filter on {f['attr']}")
            value = f.get("value")
            filters.append((f["attr"], f["op"], tuple(value) if isinstance(value, list) else value))
        window = r.get("window_days")
        rules.append(
            Rule(
                name=r["name"],
                kind=r["activity"],
                filters=tuple(filters),
                points=float(r["points"]),
                limit=limit,
                max_points=r.get("max_points"),
                window=None if window is None else window * DAY,
                group=r.get("group"),
                decay=parse_decay(r.get("decay", model.get("decay"))),
            )
        )
    return model, rules


def text_test(op: str, value: Any, s: str) -> bool:
    """A filter on one present text value (absent values fail every test but `missing`)."""
    if op == "eq":
        return s == value
    if op == "ne":
        return s != value
    if op == "in":
        return s in value
    if op == "not_in":
        return s not in value
    if op == "contains":
        return value in s
    if op == "starts_with":
        return s.startswith(value)
    if op == "ends_with":
        return s.endswith(value)
    if op in ("exists", "missing"):
        return op == "exists"
    raise NotImplementedError(f"text op {op}")


def int_test(op: str, value: Any, v: np.ndarray) -> np.ndarray:
    ops: dict[str, Callable[[], np.ndarray]] = {
        "eq": lambda: v == value,
        "ne": lambda: v != value,
        "lt": lambda: v < value,
        "le": lambda: v <= value,
        "gt": lambda: v > value,
        "ge": lambda: v >= value,
        "in": lambda: np.isin(v, value),
        "between": lambda: (v >= value[0]) & (v <= value[1]),
    }
    if op not in ops:
        raise NotImplementedError(f"number op {op}")
    return ops[op]()


def factor(decay: tuple | None, age: np.ndarray) -> np.ndarray | float:
    """The decay factor of terms `age` seconds old, as leadcore computes it in f64."""
    if decay is None:
        return 1.0
    if decay[0] == "half_life":
        return np.exp2(-age / decay[1])
    if decay[0] == "step":
        return np.power(decay[1], (age // decay[2]).astype(np.float64))
    return (age < decay[1]).astype(np.float64)


def combine(model: dict, rules: list[Rule], per_rule: dict[str, np.ndarray]) -> np.ndarray:
    """Rule points -> the model's score per lead: rule caps, group caps, model cap and floor."""
    n = len(next(iter(per_rule.values())))
    total = np.zeros(n)
    groups = {g["name"]: np.zeros(n) for g in model.get("groups", [])}
    for r in rules:
        v = per_rule[r.name]
        if r.max_points is not None:
            v = np.clip(v, -r.max_points, r.max_points)
        if r.group is None:
            total += v
        else:
            groups[r.group] += v
    for g in model.get("groups", []):
        total += np.minimum(groups[g["name"]], g["cap"])
    if model.get("cap") is not None:
        above = total > model["cap"]
        total = np.where(above, model["cap"], total)
    else:
        above = np.zeros(n, dtype=bool)
    if model.get("floor") is not None:
        total = np.where(~above & (total < model["floor"]), model["floor"], total)
    return total


# --- input -----------------------------------------------------------------------------------


def load(folder: Path) -> tuple[dict, dict[str, np.ndarray]]:
    meta = json.loads((folder / "meta.json").read_text())

    def arr(name: str, dtype: str) -> np.ndarray:
        return np.fromfile(folder / name, dtype=dtype)

    cols = {
        "lead": arr("lead.u32", "<u4"),
        "kind": arr("kind.u32", "<u4"),
        "at": arr("at.i64", "<i8"),
        "page": arr("page.u32", "<u4"),
        "seconds": arr("seconds.i64", "<i8"),
        "seconds_valid": arr("seconds_valid.u8", "u1").view(bool),
        "campaign": arr("campaign.u32", "<u4"),
        "form_id": arr("form_id.u32", "<u4"),
        "content_id": arr("content_id.u32", "<u4"),
    }
    return meta, cols


def codes_i4(codes: np.ndarray) -> np.ndarray:
    """Dictionary codes as int32, the null code becoming -1 (a view, no copy)."""
    return codes.view(np.int32)


# --- numpy, the careful way ------------------------------------------------------------------


def score_numpy(meta: dict, cols: dict[str, np.ndarray], model: dict, rules: list[Rule]) -> tuple[np.ndarray, dict]:
    import pandas as pd

    now, n = meta["now"], meta["leads"]
    lead, at = cols["lead"], cols["at"]
    kinds = meta["kinds"]
    # One flatnonzero per kind a rule reads; rows stay in time order, so times stay sorted.
    by_kind = {}
    for k in {r.kind for r in rules}:
        rows = np.flatnonzero(cols["kind"] == kinds.index(k)) if k in kinds else np.zeros(0, np.int64)
        by_kind[k] = (rows, at[rows])
    # Each string test once per distinct value; a trailing False answers the null code (-1).
    tests: dict[tuple, np.ndarray] = {}
    codes = {a: codes_i4(cols[a]) for a in TEXT_ATTRS}
    per_rule = {}
    for r in rules:
        rows, t = by_kind[r.kind]
        hi = np.searchsorted(t, now, "right")
        lo = min(np.searchsorted(t, now - r.window, "left"), hi) if r.window is not None else 0
        rows, t = rows[lo:hi], t[lo:hi]
        if r.filters:
            keep = np.ones(len(rows), dtype=bool)
            for attr, op, value in r.filters:
                if attr in TEXT_ATTRS:
                    key = (attr, op, value)
                    if key not in tests:
                        dictionary = meta[TEXT_ATTRS[attr]]
                        tests[key] = np.array([text_test(op, value, s) for s in dictionary] + [op == "missing"])
                    keep &= tests[key][codes[attr][rows]]
                else:
                    v = cols[attr][rows]
                    valid = cols[attr + "_valid"][rows]
                    if op in ("exists", "missing"):
                        keep &= valid if op == "exists" else ~valid
                    else:
                        keep &= valid & int_test(op, value, v)
            sel = np.flatnonzero(keep)
            rows, t = rows[sel], t[sel]
        ld = lead[rows]
        if r.limit is not None and r.decay is None:
            # Every counted occurrence weighs the same: p * min(count, limit).
            per_rule[r.name] = r.points * np.minimum(np.bincount(ld, minlength=n), r.limit)
            continue
        if r.limit is not None:
            # The earliest `limit` per lead (rows are in time order).
            rank = pd.Series(ld).groupby(ld, sort=False).cumcount().to_numpy()
            sel = np.flatnonzero(rank < r.limit)
            ld, t = ld[sel], t[sel]
        if r.decay is None:
            per_rule[r.name] = r.points * np.bincount(ld, minlength=n).astype(np.float64)
        else:
            per_rule[r.name] = np.bincount(ld, weights=r.points * factor(r.decay, now - t), minlength=n)
    return combine(model, rules, per_rule), per_rule


# --- pandas, the obvious way -----------------------------------------------------------------


def pandas_frame(meta: dict, cols: dict[str, np.ndarray]):
    import pandas as pd

    def cat(codes: np.ndarray, dictionary: list[str]):
        return pd.Categorical.from_codes(codes_i4(codes), categories=dictionary)

    return pd.DataFrame(
        {
            "lead": cols["lead"],
            "kind": cat(cols["kind"], meta["kinds"]),
            "at": cols["at"],
            "page": cat(cols["page"], meta["pages"]),
            "seconds": pd.arrays.IntegerArray(cols["seconds"], ~cols["seconds_valid"]),
            "campaign": cat(cols["campaign"], meta["campaigns"]),
            "form_id": cat(cols["form_id"], meta["form_ids"]),
            "content_id": cat(cols["content_id"], meta["content_ids"]),
        }
    )


def score_pandas(meta: dict, df, model: dict, rules: list[Rule]) -> tuple[np.ndarray, dict]:
    import pandas as pd

    now, n = meta["now"], meta["leads"]
    per_rule = {}
    for r in rules:
        m = df[(df["kind"] == r.kind) & (df["at"] <= now)]
        if r.window is not None:
            m = m[m["at"] >= now - r.window]
        for attr, op, value in r.filters:
            col = m[attr]
            if op == "eq":
                mask = col == value
            elif op == "in":
                mask = col.isin(list(value))
            elif op == "contains":
                mask = col.str.contains(value, regex=False, na=False)
            elif op == "starts_with":
                mask = col.str.startswith(value, na=False)
            elif op == "ge":
                mask = col >= value
            elif op == "le":
                mask = col <= value
            else:
                raise NotImplementedError(f"pandas: op {op}")
            m = m[mask.fillna(False).astype(bool)]
        if r.limit is not None:
            m = m.sort_values("at", kind="stable").groupby("lead").head(r.limit)
        age = now - m["at"]
        if r.decay is None:
            values = pd.Series(r.points, index=m.index)
        elif r.decay[0] == "half_life":
            values = r.points * np.exp2(-age / r.decay[1])
        elif r.decay[0] == "step":
            values = r.points * r.decay[1] ** (age // r.decay[2]).astype(float)
        else:
            values = r.points * (age < r.decay[1]).astype(float)
        sums = values.groupby(m["lead"]).sum()
        per_rule[r.name] = sums.reindex(np.arange(n), fill_value=0.0).to_numpy(dtype=np.float64)
    return combine(model, rules, per_rule), per_rule


# --- polars, lazy ----------------------------------------------------------------------------


def polars_frame(meta: dict, cols: dict[str, np.ndarray]):
    import polars as pl
    import pyarrow as pa

    def text(attr: str, dictionary: list[str]):
        codes = cols[attr]
        arrow = pa.DictionaryArray.from_arrays(pa.array(codes_i4(codes), mask=codes == NULL), pa.array(dictionary))
        return pl.from_arrow(arrow.cast(pa.string())).alias(attr)

    return pl.DataFrame(
        [
            pl.Series("lead", cols["lead"]),
            text("kind", meta["kinds"]).cast(pl.Enum(meta["kinds"])),
            pl.Series("at", cols["at"]),
            text("page", meta["pages"]),
            pl.from_arrow(pa.array(cols["seconds"], mask=~cols["seconds_valid"])).alias("seconds"),
            text("campaign", meta["campaigns"]),
            text("form_id", meta["form_ids"]),
            text("content_id", meta["content_ids"]),
        ]
    )


def score_polars(meta: dict, df, model: dict, rules: list[Rule]) -> tuple[np.ndarray, dict]:
    import polars as pl

    now, n = meta["now"], meta["leads"]
    lf = df.lazy()
    age = pl.lit(now) - pl.col("at")
    queries = []
    for r in rules:
        cond = (pl.col("kind") == r.kind) & (pl.col("at") <= now)
        if r.window is not None:
            cond &= pl.col("at") >= now - r.window
        for attr, op, value in r.filters:
            col = pl.col(attr)
            cond &= {
                "eq": lambda: col == value,
                "in": lambda: col.is_in(list(value) if isinstance(value, tuple) else value),
                "contains": lambda: col.str.contains(value, literal=True),
                "starts_with": lambda: col.str.starts_with(value),
                "ge": lambda: col >= value,
                "le": lambda: col <= value,
            }[op]().fill_null(False)
        q = lf.filter(cond)
        if r.limit is not None and r.decay is None:
            q = q.group_by("lead").agg((pl.len().clip(upper_bound=r.limit) * r.points).cast(pl.Float64).alias("v"))
        else:
            if r.limit is not None:
                q = q.filter(pl.col("at").rank("ordinal").over("lead") <= r.limit)
            if r.decay is None:
                q = q.group_by("lead").agg((pl.len() * r.points).cast(pl.Float64).alias("v"))
                queries.append(q)
                continue
            if r.decay[0] == "half_life":
                value = r.points * pl.lit(2.0).pow(-age.cast(pl.Float64) / r.decay[1])
            elif r.decay[0] == "step":
                value = r.points * pl.lit(r.decay[1]).pow((age // r.decay[2]).cast(pl.Float64))
            else:
                value = pl.when(age < r.decay[1]).then(r.points).otherwise(0.0)
            q = q.group_by("lead").agg(value.sum().alias("v"))
        queries.append(q)
    per_rule = {}
    for r, res in zip(rules, pl.collect_all(queries)):
        out = np.zeros(n)
        out[res["lead"].to_numpy()] = res["v"].to_numpy()
        per_rule[r.name] = out
    return combine(model, rules, per_rule), per_rule


# --- leadcore's Python door ------------------------------------------------------------------


def door_tables(meta: dict, cols: dict[str, np.ndarray], int_ids: bool):
    import pyarrow as pa

    n = meta["leads"]
    ids = pa.array([str(i) for i in range(n)])

    def dict_col(attr: str, dictionary: list[str]):
        codes = cols[attr]
        return pa.DictionaryArray.from_arrays(
            pa.array(codes_i4(codes), mask=codes == NULL), pa.array(dictionary)
        )

    lead_id = (
        pa.array(cols["lead"].astype(np.int64))
        if int_ids
        else pa.DictionaryArray.from_arrays(pa.array(codes_i4(cols["lead"])), ids)
    )
    events = pa.table(
        {
            "lead_id": lead_id,
            "kind": dict_col("kind", meta["kinds"]),
            "at": pa.array(cols["at"]),
            "page": dict_col("page", meta["pages"]),
            "seconds": pa.array(cols["seconds"], mask=~cols["seconds_valid"]),
            "campaign": dict_col("campaign", meta["campaigns"]),
            "form_id": dict_col("form_id", meta["form_ids"]),
            "content_id": dict_col("content_id", meta["content_ids"]),
        }
    )
    leads = pa.table({"id": pa.array(np.arange(n, dtype=np.int64)) if int_ids else ids})
    return leads, events


def door_polars(meta: dict, cols: dict[str, np.ndarray]):
    """The door's input as polars frames: int64 ids, text columns as `Enum`s."""
    import polars as pl
    import pyarrow as pa

    def text(attr: str, dictionary: list[str]):
        codes = cols[attr]
        arrow = pa.DictionaryArray.from_arrays(pa.array(codes_i4(codes), mask=codes == NULL), pa.array(dictionary))
        return pl.from_arrow(arrow.cast(pa.string())).cast(pl.Enum(dictionary)).alias(attr)

    events = pl.DataFrame(
        [
            pl.Series("lead_id", cols["lead"].astype(np.int64)),
            text("kind", meta["kinds"]),
            pl.Series("at", cols["at"]),
            text("page", meta["pages"]),
            pl.from_arrow(pa.array(cols["seconds"], mask=~cols["seconds_valid"])).alias("seconds"),
            text("campaign", meta["campaigns"]),
            text("form_id", meta["form_ids"]),
            text("content_id", meta["content_ids"]),
        ]
    )
    return pl.DataFrame({"id": np.arange(meta["leads"], dtype=np.int64)}), events


def door_pandas(meta: dict, cols: dict[str, np.ndarray]):
    """The door's input as pandas frames: int64 ids, text columns as `Categorical`s."""
    import pandas as pd

    frame = pandas_frame(meta, cols).rename(columns={"lead": "lead_id"})
    frame["lead_id"] = frame["lead_id"].astype(np.int64)
    return pd.DataFrame({"id": np.arange(meta["leads"], dtype=np.int64)}), frame


# --- main ------------------------------------------------------------------------------------


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def rel_diff(a: np.ndarray, b: np.ndarray, near_zero: float = 1e-9) -> tuple[float, int]:
    """Largest |a - b| / max(|a|, |b|), and where; values below 1 in magnitude that are
    within `near_zero` of each other count as equal."""
    if len(a) == 0:
        return 0.0, 0
    d = np.abs(a - b)
    scale = np.maximum(np.abs(a), np.abs(b))
    rel = np.divide(d, scale, out=np.zeros_like(d), where=scale > 0)
    rel[(scale < 1.0) & (d <= near_zero)] = 0.0
    i = int(np.argmax(rel))
    return float(rel[i]), i


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", default="target/realistic-fixture")
    ap.add_argument("--tol", type=float, default=1e-9, help="leadcore vs the f64 reference (relative)")
    ap.add_argument("--strict", action="store_true", help="fail when leadcore is off by more than --tol")
    ap.add_argument("--threads", type=int, default=1, help="polars threads (POLARS_MAX_THREADS)")
    ap.add_argument("--runs", type=int, default=3, help="runs per contender (best taken)")
    ap.add_argument("--skip-pandas", action="store_true", help="leave out the obvious pandas (slow)")
    args = ap.parse_args()
    os.environ["POLARS_MAX_THREADS"] = str(args.threads)
    import polars as pl

    folder = Path(args.folder)
    meta, cols = load(folder)
    model, rules = parse_model(meta)
    n, events = meta["leads"], meta["events"]
    rust = np.fromfile(folder / "scores.f64", dtype="<f8")
    rust_rules = np.fromfile(folder / "rule_points.f64", dtype="<f8").reshape(len(rules), n)
    core_bin = Path(os.environ.get("LEADCORE_CORE_BIN", "target/release/examples/realistic_core"))
    core_times: dict[int, list[float]] = {1: [], 2: []}

    def core_round() -> None:
        """One timed batch of the Rust core on one thread and one on two, each in a process
        of its own (after a warm-up batch), between the contenders."""
        if not core_bin.exists():
            return
        for threads in (1, 2):
            out = subprocess.run(
                [str(core_bin), str(folder), "1", str(threads)], check=True, capture_output=True, text=True
            )
            core_times[threads] += json.loads(out.stdout.strip().splitlines()[-1])["seconds"]

    shape = meta["shape"]
    print(
        f"{events:,} events, {n:,} lead ids ({shape['active_leads']:,} active, top 1% hold "
        f"{100 * shape['top1_share']:.1f}%, median {shape['median_active']:g} per active lead, "
        f"{shape['distinct_pages']} pages), {len(rules)} rules; polars threads {pl.thread_pool_size()}"
    )

    rows: list[tuple[str, float]] = []
    results: dict[str, np.ndarray] = {}
    core_round()
    t, (ref, ref_rules) = best_of(args.runs, lambda: score_numpy(meta, cols, model, rules))
    rows.append(("numpy/pandas, careful", t))
    results["numpy/pandas, careful"] = ref
    print(f"  numpy careful: {t:.3f} s", flush=True)

    pdf = polars_frame(meta, cols)
    core_round()
    t, (s, _) = best_of(args.runs, lambda: score_polars(meta, pdf, model, rules))
    threads = pl.thread_pool_size()
    rows.append((f"polars lazy, collect_all ({threads} thread{'s' if threads > 1 else ''})", t))
    results["polars"] = s
    print(f"  polars: {t:.3f} s", flush=True)
    del pdf

    if not args.skip_pandas:
        df = pandas_frame(meta, cols)
        core_round()
        t, (s, _) = best_of(args.runs, lambda: score_pandas(meta, df, model, rules))
        rows.append(("pandas, the obvious way", t))
        results["pandas obvious"] = s
        print(f"  pandas obvious: {t:.3f} s", flush=True)
        del df

    door_note = None
    try:
        import leadcore
        import pyarrow as pa
    except ImportError as e:
        door_note = f"door not timed: {e}"
    else:
        pb = leadcore.Playbook.parse(json.dumps(meta["playbook"]), "json")
        now = datetime.fromtimestamp(meta["now"], tz=timezone.utc)
        try:
            leads, ev = door_tables(meta, cols, int_ids=True)
            pb.score_columns(leads, ev, now)
            id_note = "int64 lead ids accepted"
        except Exception as e:  # noqa: BLE001
            id_note = f"int64 lead ids refused ({type(e).__name__}: {str(e).splitlines()[0][:120]}); ids as dictionary-encoded strings"
            leads, ev = door_tables(meta, cols, int_ids=False)
        print(f"  door: {id_note}")
        model_name = "score_" + meta["models"][0]

        def door_columns(leads: Any, ev: Any, threads: int = 1) -> Callable[[], np.ndarray]:
            def run() -> np.ndarray:
                out = pa.table(pb.score_columns(leads, ev, now, threads=threads).to_arrow())
                return out.column(model_name).to_numpy()

            return run

        def door_many() -> np.ndarray:
            return pb.score_many(leads, ev, now)[model_name].to_numpy()

        # Each contender's input is made just before it runs (and dropped after).
        contenders: list[tuple[str, Callable[[], Callable[[], np.ndarray]]]] = [
            ("score_columns (pyarrow in, Arrow out)", lambda: door_columns(leads, ev))
        ]
        if id_note.startswith("int64 lead ids accepted"):
            contenders.append(("score_columns (polars in, Arrow out)",
                               lambda: door_columns(*door_polars(meta, cols))))
            contenders.append(("score_columns (pandas in, Arrow out)",
                               lambda: door_columns(*door_pandas(meta, cols))))
        contenders.append(("score_many (pyarrow in, DataFrame out)", lambda: door_many))
        contenders.append(("score_columns (pyarrow in, 2 threads)",
                           lambda: door_columns(leads, ev, threads=2)))
        for label, make in contenders:
            fn = make()
            core_round()
            t, s = best_of(args.runs, fn)
            rows.append((f"leadcore door {label}", t))
            results[f"door {label}"] = s
            print(f"  door {label}: {t:.3f} s", flush=True)
            if not np.array_equal(s, rust):
                raise SystemExit(f"the door's {label} differs from the Rust core's scores")

    core_round()
    if core_times[1]:
        t_rust = min(core_times[1])
        print(
            f"  Rust core, realistic_core between the contenders: one thread best {t_rust:.3f} s "
            f"(runs {' '.join(f'{t:.3f}' for t in core_times[1])}); two threads best "
            f"{min(core_times[2]):.3f} s (runs {' '.join(f'{t:.3f}' for t in core_times[2])})"
        )
        core_rows = [("leadcore score_columns, Rust core (1 core)", t_rust),
                     ("leadcore score_columns, Rust core (2 threads)", min(core_times[2]))]
    else:
        t_rust = meta["leadcore_best_seconds"]
        print(f"  Rust core: {core_bin} not built; its time from meta.json (not alternated): {t_rust:.3f} s")
        core_rows = [("leadcore score_columns, Rust core (1 core, meta.json)", t_rust)]
        if "leadcore_two_threads_best_seconds" in meta:
            core_rows.append(("leadcore score_columns, Rust core (2 threads, meta.json)",
                              meta["leadcore_two_threads_best_seconds"]))
    rows[:0] = core_rows

    # Peers agree with each other.
    worst = 0.0
    for name, s in results.items():
        if name.startswith("door"):
            continue
        d, i = rel_diff(s, ref)
        worst = max(worst, d)
        if d > 1e-12:
            raise SystemExit(
                f"{name} disagrees with the numpy reference: {d:.3e} relative at lead {i} "
                f"({float(s[i])!r} vs {float(ref[i])!r})"
            )
    print(f"peers agree on all {n:,} scores: largest relative difference {worst:.2e} (limit 1e-12)")

    # leadcore vs the f64 reference.
    d, i = rel_diff(rust, ref)
    big = np.abs(ref) >= 1.0
    d_big, j = rel_diff(rust[big], ref[big])
    print(f"leadcore vs the f64 reference: largest relative difference {d:.3e} at lead {i} "
          f"({float(rust[i])!r} vs {float(ref[i])!r}); --tol {args.tol:g}")
    print(f"  largest absolute difference {float(np.max(np.abs(rust - ref))):.3e}; largest relative "
          f"difference among scores of at least 1 point {d_big:.3e} "
          f"(lead {int(np.flatnonzero(big)[j]) if big.any() else '-'})")
    print("  per rule (raw points before caps), largest relative / absolute difference:")
    for k, r in enumerate(rules):
        dr, j = rel_diff(rust_rules[k], ref_rules[r.name])
        da = float(np.max(np.abs(rust_rules[k] - ref_rules[r.name])))
        print(f"    {r.name:<18}{dr:>10.2e}{da:>10.2e}   (lead {j}: {float(rust_rules[k][j])!r} vs {float(ref_rules[r.name][j])!r})")
    exact = int(np.sum(rust == ref))
    print(f"  {exact:,} of {n:,} scores equal bit for bit")

    print()
    print(f"{'contender':<52}{'seconds':>9}{'M events/s':>12}{'time / leadcore core':>22}")
    for name, t in rows:
        print(f"{name:<52}{t:>9.3f}{events / t / 1e6:>12.1f}{t / t_rust:>22.2f}")
    if door_note:
        print(door_note)
    print(f"(leadcore's runs when the fixture was made, meta.json: {', '.join(f'{x:.3f}' for x in meta['leadcore_runs_seconds'])} s"
          + (f"; on 2 threads {', '.join(f'{x:.3f}' for x in meta['leadcore_two_threads_runs_seconds'])} s"
             if "leadcore_two_threads_runs_seconds" in meta else "") + ")")
    if args.strict and d > args.tol:
        raise SystemExit(f"leadcore is off the f64 reference by {d:.3e} > --tol {args.tol:g}")


if __name__ == "__main__":
    main()
