"""Odoo's predictive lead scoring (`odoo` mode) the two ways people run it without leadcore.

    cargo run --release --example odoo_fixture -- target/odoo-fixture
    .venv/bin/python benches/odoo_pandas.py target/odoo-fixture [ODOO_SAMPLE]

The fixture (crates/leadcore/benches/predictive_fixture): 1M closed leads to train on and 1M
pending leads to score; 5 teams + no team, stages 1-4 + won stage 70, fields country_id (60
values), state_id (300), email_state (kept when unset, as "False") and source_id (12).

* pandas, as a data scientist writes it: the frequency table by a groupby over (team, value)
  per field and one over (team, variable, value) with won/lost counts, the stage rule by merging lost leads with the stages
  and keeping sequence <= their own (won leads count on every stage), +0.1 on each side to one
  decimal; team pools beside the all-rows pool, one merge per variable to attach each pending
  lead's factors, vectorised products in Odoo's order, `round(100 p, 2)` half-even and the
  clamp to [0.01, 99.99]. The leads come in as categorical columns (the dictionary codes
  leadcore reads), built outside the timing.
* Odoo's own per-record way: a transcription of the shape of the `crm.lead` methods of Odoo
  17-18 (`addons/crm/models/crm_lead.py`)
  (`_pls_get_lead_pls_values` over dict rows as `dictfetchall` returns them, the rebuild's
  `_pls_prepare_update_frequency_table` / `_pls_prepare_frequencies` /
  `_pls_increment_frequency_dict` / `_pls_update_frequency_table`, then
  `_pls_get_naive_bayes_probabilities`' loop), the SQL reads replaced by lists of dicts built
  outside the timing. Training runs on all 1M closed leads; scoring on a sample of the pending
  leads (20,000 by default, evenly spaced), its rate per lead extrapolated to 1M (the sample's
  time includes building the pools once, a few milliseconds, as each of Odoo's batches does).
  The loop keeps Odoo's stale-prior behaviour (a pool without history is skipped but kept as
  current); it never triggers here, every pool has history.

All three probability sets are compared with leadcore's `probability.f64` (NaN: no
probability). Odoo sums a variable's counts in its table's row order and leadcore by team then
value; a sum in another order can differ in its last bit, which changes a rounded probability
only when 100 p lies on (or within a few ulps of) a half-way point x.xx5. The script reports
every difference and shows, with exact rational arithmetic on the table's decimal counts, that
each one is such a tie.
"""

from __future__ import annotations

import json
import sys
import time
from collections import OrderedDict
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

NULL = 0xFFFFFFFF
STAGE = "stage_id"


# --------------------------------------------------------------------------------------------
# The fixture
# --------------------------------------------------------------------------------------------


def load(folder: Path) -> tuple[dict, dict[str, dict[str, np.ndarray]]]:
    meta = json.loads((folder / "meta.json").read_text())
    cols: dict[str, dict[str, np.ndarray]] = {}
    for part in ("closed", "pending"):
        c = {name: np.fromfile(folder / f"{part}_{name}.u32", dtype="<u4") for name in ["team", "stage", *meta["fields"]]}
        cols[part] = c
    cols["closed"]["status"] = np.fromfile(folder / "closed_status.u8", dtype="u1")
    return meta, cols


def categorical(codes: np.ndarray, dictionary: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.where(codes == NULL, -1, codes).astype(np.int32), categories=dictionary)


def frame(meta: dict, c: dict[str, np.ndarray], closed: bool) -> pd.DataFrame:
    """The leads as a data scientist holds them: one categorical column per field."""
    df = pd.DataFrame(
        {
            "team": categorical(c["team"], meta["teams"]),
            "stage": categorical(c["stage"], meta["stages_dictionary"]),
            **{f: categorical(c[f], meta["dictionaries"][f]) for f in meta["fields"]},
        }
    )
    if closed:
        df["won"] = (c["status"] == 1).astype(np.int64)
        df["lost"] = (c["status"] == 2).astype(np.int64)
    return df


# --------------------------------------------------------------------------------------------
# (a) pandas, as a data scientist writes it
# --------------------------------------------------------------------------------------------


def train_pandas(meta: dict, closed: pd.DataFrame) -> pd.DataFrame:
    """The frequency table: team (NaN: none), variable, value, won, lost."""
    fields, keep = meta["fields"], set(meta["keep_unset"])
    stages = pd.DataFrame(meta["stages"]).rename(columns={"id": "value"})
    df = closed[(closed["won"] + closed["lost"]) > 0]
    # Fields: won/lost per (team, value) of each field; kept-unset fields count as "False",
    # other unset values not at all.
    parts = []
    for f in fields:
        value = df[f].cat.add_categories("False").fillna("False") if f in keep else df[f]
        g = df.groupby([df["team"], value], observed=True, dropna=False)[["won", "lost"]].sum().reset_index()
        g = g.rename(columns={f: "value"}).dropna(subset=["value"])
        parts.append(g.assign(variable=f, value=g["value"].astype(str)))
    # Stages: a won lead counts won on every stage, a lost lead lost on every stage whose
    # sequence is <= its own.
    has_stage = df[df["stage"].notna()]
    won = has_stage.groupby("team", observed=True, dropna=False)["won"].sum().reset_index()
    won = won[won["won"] > 0].merge(stages[["value"]], how="cross").assign(lost=0)
    lost = has_stage[has_stage["lost"] > 0].groupby(["team", "stage"], observed=True, dropna=False)["lost"].sum().reset_index()
    lost["stage"] = lost["stage"].astype(str)
    lost = lost.merge(stages[["value", "sequence"]], left_on="stage", right_on="value", suffixes=("", "_own"))
    lost = lost[["team", "lost", "sequence"]].merge(stages[["value", "sequence"]], how="cross", suffixes=("_own", ""))
    lost = lost[lost["sequence"] <= lost["sequence_own"]].assign(won=0)
    stage_rows = pd.concat([won, lost[["team", "value", "won", "lost"]]]).assign(variable=STAGE)
    rows = pd.concat([*parts, stage_rows], ignore_index=True)
    rows["team"] = rows["team"].astype(object)
    rows["value"] = rows["value"].astype(str)
    table = rows.groupby(["team", "variable", "value"], dropna=False)[["won", "lost"]].sum().reset_index()
    table = table[(table["won"] + table["lost"]) > 0]
    table["won"] = (table["won"] + 0.1).round(1)
    table["lost"] = (table["lost"] + 0.1).round(1)
    return table.reset_index(drop=True)


ALL = "__all__"


def predict_pandas(meta: dict, table: pd.DataFrame, pending: pd.DataFrame) -> np.ndarray:
    fields, keep = meta["fields"], set(meta["keep_unset"])
    stages = meta["stages"]
    first = min(stages, key=lambda s: (s["sequence"], s["id"]))["id"]
    won_stages = [s["id"] for s in stages if s["won"]]
    # Pools: each team's own rows, and every row (all teams + no team) summed per value.
    team_rows = table[table["team"].notna()]
    all_rows = table.groupby(["variable", "value"], as_index=False)[["won", "lost"]].sum().assign(pool=ALL)
    pools = pd.concat([team_rows.rename(columns={"team": "pool"}), all_rows], ignore_index=True)
    totals = pools.groupby(["pool", "variable"], as_index=False)[["won", "lost"]].sum()
    pools = pools.merge(totals, on=["pool", "variable"], suffixes=("", "_total"))
    prior = pools[(pools["variable"] == STAGE) & (pools["value"] == first)][["pool", "won", "lost"]]
    prior = prior.rename(columns={"won": "team_won", "lost": "team_lost"})
    pools = pools.merge(prior, on="pool", how="left")
    # The stage divides by the first stage's counts; a zero denominator skips the factor.
    stage = pools["variable"] == STAGE
    den_won = np.where(stage, pools["team_won"], pools["won_total"])
    den_lost = np.where(stage, pools["team_lost"], pools["lost_total"])
    ok = (den_won != 0) & (den_lost != 0) & ~np.isnan(den_won) & ~np.isnan(den_lost)
    pools["f_won"] = np.where(ok, pools["won"] / den_won, 1.0)
    pools["f_lost"] = np.where(ok, pools["lost"] / den_lost, 1.0)
    factors = pools[["pool", "variable", "value", "f_won", "f_lost"]]

    # Each pending lead's pool: its team's when the team has rows, else the all-rows pool.
    teams_with_rows = set(team_rows["team"].unique())
    leads = pd.DataFrame({"pool": pending["team"].astype(object).where(pending["team"].isin(teams_with_rows), ALL)})
    leads = leads.merge(prior, on="pool", how="left")
    leads["s_won"] = leads["team_won"] / (leads["team_won"] + leads["team_lost"])
    leads["s_lost"] = leads["team_lost"] / (leads["team_won"] + leads["team_lost"])
    # Factors in Odoo's order: the stage, then the fields in configuration order.
    for var in [STAGE, *fields]:
        col = pending["stage" if var == STAGE else var].astype(object)
        if var in keep:
            col = col.where(col.notna(), "False")
        f = factors[factors["variable"] == var].drop(columns="variable")
        got = pd.DataFrame({"pool": leads["pool"], "value": col}).merge(f, on=["pool", "value"], how="left")
        leads["s_won"] *= got["f_won"].fillna(1.0).to_numpy()
        leads["s_lost"] *= got["f_lost"].fillna(1.0).to_numpy()
    p = leads["s_won"] / (leads["s_won"] + leads["s_lost"])
    out = python_round2(100 * p.to_numpy()).clip(0.01, 99.99)
    # No history for the pool (no first-stage row or a zero side): no probability.
    out[~((leads["team_won"] > 0) & (leads["team_lost"] > 0)).to_numpy()] = np.nan
    out[pending["stage"].isin(won_stages).to_numpy()] = 100.0
    out[pending["stage"].isna().to_numpy()] = 0.0
    return out


def python_round2(x: np.ndarray) -> np.ndarray:
    """Python's round(x, 2) (half-even on the exact binary value) over an array: numpy's
    round multiplies first, which can move a value across x.xx5, so values within 1e-6 of a
    half-way point go through Python's round, the rest through numpy's."""
    y = x * 100.0
    out = np.round(x, 2)
    near = np.flatnonzero(np.abs(y - np.floor(y) - 0.5) <= 1e-6)
    out[near] = [round(v, 2) for v in x[near].tolist()]
    return out


# --------------------------------------------------------------------------------------------
# (b) Odoo's own per-record way (transcribed in shape from addons/crm/models/crm_lead.py)
# --------------------------------------------------------------------------------------------


def sql_rows(meta: dict, c: dict[str, np.ndarray], idx: np.ndarray, first_id: int, closed: bool) -> list[dict]:
    """What Odoo's `dictfetchall` returns, ordered `team_id asc, id desc` (NULL last). Team ids
    are the fixture's team number + 1 (0 is "no team" in Odoo); stage ids are integers."""
    fields = meta["fields"]
    team = c["team"][idx].astype(np.int64)
    team = np.where(team == NULL, -1, team + 1)
    order = np.lexsort((-idx, np.where(team == -1, 1 << 40, team)))
    idx, team = idx[order], team[order]
    stage_names = [int(s) for s in meta["stages_dictionary"]]
    cols = {f: [None if v == NULL else meta["dictionaries"][f][v] for v in c[f][idx].tolist()] for f in fields}
    stages = [None if v == NULL else stage_names[v] for v in c["stage"][idx].tolist()]
    if closed:
        prob = np.where(c["status"][idx] == 1, 100.0, 0.0).tolist()
    else:
        prob = [None] * len(idx)
    rows = []
    for k, (i, t) in enumerate(zip((idx + first_id).tolist(), team.tolist())):
        row = {"id": i, "probability": prob[k], "stage_id": stages[k], "team_id": None if t == -1 else t}
        for f in fields:
            row[f] = cols[f][k]
        rows.append(row)
    return rows


class OdooPLS:
    """The PLS methods of `crm.lead`, over in-memory rows instead of the database."""

    def __init__(self, meta: dict):
        self.pls_fields = list(meta["fields"])
        # crm.stage, ordered by sequence, id.
        self.stages = sorted(({"id": int(s["id"]), "sequence": s["sequence"], "is_won": s["won"]} for s in meta["stages"]), key=lambda s: (s["sequence"], s["id"]))
        self.team_ids = list(range(1, len(meta["teams"]) + 1))
        self.frequencies: list[dict] = []  # crm.lead.scoring.frequency, in id order

    def _pls_get_lead_pls_values(self, lead_results: list[dict]) -> OrderedDict:
        leads_values_dict = OrderedDict()
        pls_fields = ["stage_id", "team_id"] + self.pls_fields
        for lead in lead_results:
            lead_values = []
            for field in pls_fields + ["probability"]:
                value = lead[field]
                if field == "team_id":
                    continue
                if value or field == "probability":
                    lead_values.append((field, value))
                elif field in ("email_state", "phone_state"):
                    lead_values.append((field, False))
                leads_values_dict[lead["id"]] = {"values": lead_values, "team_id": lead["team_id"] or 0}
        return leads_values_dict

    # Rebuild ------------------------------------------------------------------------------

    def rebuild(self, closed_rows: list[dict]) -> None:
        """`_rebuild_pls_frequency_table`: prepare the frequencies of every closed lead, then
        create the rows."""
        team_ids = self.team_ids + [0]
        leads_values_dict = self._pls_get_lead_pls_values(closed_rows)
        leads_frequency_values_by_team = {team_id: [] for team_id in team_ids}
        leads_pls_fields = set()
        for values in leads_values_dict.values():
            team_id = values.get("team_id", 0)
            lead_frequency_values = {"count": 1}
            for field, value in values["values"]:
                if field != "probability":
                    leads_pls_fields.add(field)
                lead_frequency_values[field] = value
            leads_frequency_values_by_team[team_id].append(lead_frequency_values)
        leads_pls_fields = sorted(leads_pls_fields)
        new_frequencies_by_team = {
            team_id: self._pls_prepare_frequencies(leads_frequency_values_by_team[team_id], leads_pls_fields) for team_id in team_ids
        }
        self._pls_update_frequency_table(new_frequencies_by_team)

    def _pls_prepare_frequencies(self, lead_values: list[dict], leads_pls_fields: list[str]) -> dict:
        frequencies = {field: {} for field in leads_pls_fields}
        stage_ids = self.stages
        stage_sequences = {stage["id"]: stage["sequence"] for stage in stage_ids}
        for values in lead_values:
            won_count = values["count"] if values.get("probability", 0) == 100 else 0
            lost_count = values["count"] if values.get("probability", 1) == 0 else 0
            for field in leads_pls_fields:
                if field not in values:
                    continue
                value = values[field]
                if value or field in ("email_state", "phone_state"):
                    if field == "stage_id":
                        if won_count:
                            stages_to_increment = [stage["id"] for stage in stage_ids]
                        else:
                            current_stage_sequence = stage_sequences[value]
                            stages_to_increment = [stage["id"] for stage in stage_ids if stage["sequence"] <= current_stage_sequence]
                        for stage_id in stages_to_increment:
                            frequencies = self._pls_increment_frequency_dict(frequencies, field, stage_id, won_count, lost_count)
                    else:
                        frequencies = self._pls_increment_frequency_dict(frequencies, field, value, won_count, lost_count)
        return frequencies

    @staticmethod
    def _pls_increment_frequency_dict(frequencies: dict, field: str, value, won: int, lost: int) -> dict:
        value = str(value)
        if value not in frequencies[field]:
            frequencies[field][value] = {"won": won, "lost": lost}
        else:
            frequencies[field][value]["won"] += won
            frequencies[field][value]["lost"] += lost
        return frequencies

    def _pls_update_frequency_table(self, new_frequencies_by_team: dict) -> None:
        values_to_create = []
        for team_id, new_frequencies in new_frequencies_by_team.items():
            for field, value in new_frequencies.items():
                for param, result in value.items():
                    values_to_create.append(
                        {
                            "variable": field,
                            "value": param,
                            # numeric(16, 1): stored to one decimal, read back as a float
                            "won_count": round(result["won"] + 0.1, 1),
                            "lost_count": round(result["lost"] + 0.1, 1),
                            "team_id": team_id if team_id else None,
                        }
                    )
        self.frequencies.extend(values_to_create)

    # Probabilities ------------------------------------------------------------------------

    def _pls_get_won_lost_total_count(self, team_results: dict) -> tuple:
        first_stage_id = self.stages[0]["id"]
        if str(first_stage_id) not in team_results.get("stage_id", []):
            return 0, 0, 0
        stage_result = team_results["stage_id"][str(first_stage_id)]
        return stage_result["won"], stage_result["lost"], stage_result["won"] + stage_result["lost"]

    def _pls_get_naive_bayes_probabilities(self, pending_rows: list[dict]) -> dict:
        lead_probabilities = {}
        leads_values_dict = self._pls_get_lead_pls_values(pending_rows)
        if not leads_values_dict:
            return lead_probabilities
        leads_fields = set()
        won_leads = set()
        won_stage_ids = [s["id"] for s in self.stages if s["is_won"]]
        for lead_id, values in leads_values_dict.items():
            for field, value in values["values"]:
                if field == "stage_id" and value in won_stage_ids:
                    won_leads.add(lead_id)
                leads_fields.add(field)
        leads_fields = sorted(leads_fields)
        # search([('variable', 'in', leads_fields)], order="team_id asc, id")
        wanted = set(leads_fields)
        frequencies = sorted(
            (f for f in self.frequencies if f["variable"] in wanted),
            key=lambda f: (f["team_id"] is None, f["team_id"] or 0),
        )
        frequency_team_ids = list(OrderedDict.fromkeys(f["team_id"] for f in frequencies if f["team_id"]))

        result = {team_id: {field: {"won_total": 0, "lost_total": 0} for field in leads_fields} for team_id in frequency_team_ids}
        result[-1] = {field: {"won_total": 0, "lost_total": 0} for field in leads_fields}
        for frequency in frequencies:
            field = frequency["variable"]
            value = frequency["value"]
            if field == "tag_id" and (frequency["won_count"] + frequency["lost_count"]) < 50:
                continue
            if frequency["team_id"]:
                team_result = result[frequency["team_id"]]
                team_result[field][value] = {"won": frequency["won_count"], "lost": frequency["lost_count"]}
                team_result[field]["won_total"] += frequency["won_count"]
                team_result[field]["lost_total"] += frequency["lost_count"]
            if value not in result[-1][field]:
                result[-1][field][value] = {"won": 0, "lost": 0}
            result[-1][field][value]["won"] += frequency["won_count"]
            result[-1][field][value]["lost"] += frequency["lost_count"]
            result[-1][field]["won_total"] += frequency["won_count"]
            result[-1][field]["lost_total"] += frequency["lost_count"]
        for team_id in result:
            result[team_id]["team_won"], result[team_id]["team_lost"], result[team_id]["team_total"] = self._pls_get_won_lost_total_count(result[team_id])

        save_team_id = None
        p_won, p_lost = 1, 1
        team_won = team_lost = 0
        for lead_id, lead_values in leads_values_dict.items():
            lead_fields = [value[0] for value in lead_values.get("values", [])]
            if "stage_id" not in lead_fields:
                lead_probabilities[lead_id] = 0
                continue
            elif lead_id in won_leads:
                lead_probabilities[lead_id] = 100
                continue
            lead_team_id = lead_values["team_id"] if lead_values["team_id"] in result else -1
            if lead_team_id != save_team_id:
                save_team_id = lead_team_id
                team_won = result[save_team_id]["team_won"]
                team_lost = result[save_team_id]["team_lost"]
                team_total = result[save_team_id]["team_total"]
                if not team_won or not team_lost:
                    continue
                p_won = team_won / team_total
                p_lost = team_lost / team_total
            s_lead_won, s_lead_lost = p_won, p_lost
            for field, value in lead_values["values"]:
                field_result = result.get(save_team_id, {}).get(field)
                value_result = field_result.get(str(value)) if field_result else False
                if value_result:
                    total_won = team_won if field == "stage_id" else field_result["won_total"]
                    total_lost = team_lost if field == "stage_id" else field_result["lost_total"]
                    if not total_won or not total_lost:
                        continue
                    s_lead_won *= value_result["won"] / total_won
                    s_lead_lost *= value_result["lost"] / total_lost
            probability = s_lead_won / (s_lead_won + s_lead_lost)
            lead_probabilities[lead_id] = min(max(round(100 * probability, 2), 0.01), 99.99)
        return lead_probabilities


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def table_frame(rows: list[dict], team_of) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["team"] = [team_of(t) for t in df["team"]]
    return df.set_index(["team", "variable", "value"]).sort_index()[["won", "lost"]]


def check_tables(meta: dict, folder: Path, pandas_table: pd.DataFrame, odoo: OdooPLS) -> None:
    rust = json.loads((folder / "table.json").read_text())["rows"]
    t_rust = table_frame(rust, lambda t: "-" if pd.isna(t) else t)
    t_pd = table_frame(pandas_table.to_dict("records"), lambda t: "-" if pd.isna(t) else t)
    t_odoo = table_frame(
        [{"team": f["team_id"], "variable": f["variable"], "value": f["value"], "won": f["won_count"], "lost": f["lost_count"]} for f in odoo.frequencies],
        lambda t: "-" if pd.isna(t) else meta["teams"][int(t) - 1],
    )
    for name, t in (("pandas", t_pd), ("Odoo per-record", t_odoo)):
        if not (t.index.equals(t_rust.index) and np.array_equal(t.to_numpy(), t_rust.to_numpy())):
            raise SystemExit(f"{name}'s frequency table differs from leadcore's ({len(t)} vs {len(t_rust)} rows)")
    print(f"frequency tables: pandas, Odoo per-record and leadcore agree on all {len(t_rust):,} rows exactly")


def exact_percent(meta: dict, table: pd.DataFrame, lead: dict) -> Fraction:
    """100 p of one pending lead in exact rational arithmetic on the table's decimal counts (each
    count read as its one-decimal value), whatever the summation order."""
    dec = lambda x: Fraction(round(x * 10), 10)  # noqa: E731
    team = lead["team"]
    rows = table if team is None or team not in set(table["team"].dropna()) else table[table["team"] == team]
    first = min(meta["stages"], key=lambda s: (s["sequence"], s["id"]))["id"]

    def var(v: str) -> tuple[dict, Fraction, Fraction]:
        r = rows[rows["variable"] == v]
        vals: dict[str, list[Fraction]] = {}
        for value, w, lo in zip(r["value"], r["won"], r["lost"]):
            e = vals.setdefault(value, [Fraction(0), Fraction(0)])
            e[0] += dec(w)
            e[1] += dec(lo)
        return vals, sum((e[0] for e in vals.values()), Fraction(0)), sum((e[1] for e in vals.values()), Fraction(0))

    stages, _, _ = var(STAGE)
    tw, tl = stages[first]
    s_won, s_lost = tw / (tw + tl), tl / (tw + tl)
    for v in [STAGE, *meta["fields"]]:
        value = lead[v]
        if value is None and v in meta["keep_unset"]:
            value = "False"
        vals, won_total, lost_total = var(v)
        if value in vals:
            dw, dl = (tw, tl) if v == STAGE else (won_total, lost_total)
            s_won *= vals[value][0] / dw
            s_lost *= vals[value][1] / dl
    return 100 * s_won / (s_won + s_lost)


def compare(name: str, got: np.ndarray, want: np.ndarray, where: np.ndarray, meta: dict, table: pd.DataFrame, pending: dict) -> int:
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    bad = np.flatnonzero(~same)
    if len(bad) == 0:
        print(f"{name}: all {len(got):,} probabilities equal leadcore's exactly")
        return 0
    print(f"{name}: {len(bad)} of {len(got):,} probabilities differ from leadcore's; each checked for a half-way tie:")
    for b in bad[:20]:
        row = int(where[b])
        lead = {
            "team": None if pending["team"][row] == NULL else meta["teams"][pending["team"][row]],
            STAGE: meta["stages_dictionary"][pending["stage"][row]],
            **{f: None if pending[f][row] == NULL else meta["dictionaries"][f][pending[f][row]] for f in meta["fields"]},
        }
        exact = exact_percent(meta, table, lead)
        off = float(exact * 100 - int(exact * 100)) - 0.5
        print(f"  row {row}: {name} {got[b]!r} vs leadcore {want[b]!r}; exact 100 p = {float(exact)!r}, {off:+.3e} hundredths from x.xx5")
        if abs(off) > 1e-9:
            raise SystemExit(f"{name} differs from leadcore at row {row}, which is not a rounding tie")
    return len(bad)


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "target/odoo-fixture")
    sample = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    meta, cols = load(folder)
    n = meta["rows"]
    rust = np.fromfile(folder / "probability.f64", dtype="<f8")
    t_rust = meta["leadcore_best_seconds"]

    closed_df = frame(meta, cols["closed"], closed=True)
    pending_df = frame(meta, cols["pending"], closed=False)

    # (a) pandas: best of 3 of train + score together.
    t_pd_train = t_pd_score = t_pd = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        table = train_pandas(meta, closed_df)
        t1 = time.perf_counter()
        p_pd = predict_pandas(meta, table, pending_df)
        t2 = time.perf_counter()
        t_pd_train, t_pd_score, t_pd = min(t_pd_train, t1 - t0), min(t_pd_score, t2 - t1), min(t_pd, t2 - t0)

    # (b) Odoo per-record: rebuild from all 1M closed leads, score a sample of pending ones.
    closed_rows = sql_rows(meta, cols["closed"], np.arange(n), 1, closed=True)
    where = np.linspace(0, n - 1, sample).astype(np.int64) if sample < n else np.arange(n)
    pending_rows = sql_rows(meta, cols["pending"], where, n + 1, closed=False)
    odoo = OdooPLS(meta)
    t0 = time.perf_counter()
    odoo.rebuild(closed_rows)
    t_odoo_train = time.perf_counter() - t0
    del closed_rows
    t0 = time.perf_counter()
    probs = odoo._pls_get_naive_bayes_probabilities(pending_rows)
    t_odoo_sample = time.perf_counter() - t0
    p_odoo = np.array([probs.get(int(i) + n + 1, np.nan) for i in where], dtype=np.float64)
    t_odoo_score = t_odoo_sample / len(where) * n

    check_tables(meta, folder, table, odoo)
    diff_pd = compare("pandas", p_pd, rust, np.arange(n), meta, table, cols["pending"])
    diff_odoo = compare("Odoo per-record (sample)", p_odoo, rust[where], where, meta, table, cols["pending"])

    t_odoo = t_odoo_train + t_odoo_score
    print()
    print(f"odoo mode: train on {n:,} closed leads + score {n:,} pending, one core")
    print(f"{'engine':<46}{'train s':>9}{'score s':>9}{'total s':>9}{'leadcore is':>14}")
    rows = [
        ("leadcore train_columns + predict_columns", meta["leadcore_train_best_seconds"], meta["leadcore_score_best_seconds"], t_rust),
        ("pandas, groupby + merge (best of 3)", t_pd_train, t_pd_score, t_pd),
        (f"Odoo per-record, scoring {len(where):,}-lead sample x{n / len(where):g}", t_odoo_train, t_odoo_score, t_odoo),
    ]
    for name, tr, sc, tot in rows:
        ratio = "-" if name.startswith("leadcore") else f"{tot / t_rust:,.0f}x faster"
        print(f"{name:<46}{tr:>9.3f}{sc:>9.3f}{tot:>9.3f}{ratio:>14}")
    print(
        f"Odoo per-record scoring: {t_odoo_sample:.3f} s for the {len(where):,}-lead sample = "
        f"{t_odoo_sample / len(where) * 1e6:.2f} µs per lead, extrapolated to {t_odoo_score:.1f} s for {n:,}"
    )
    print(f"differences from leadcore (all half-way ties): pandas {diff_pd}, Odoo per-record {diff_odoo}")


if __name__ == "__main__":
    main()
