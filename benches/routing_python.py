"""Routing the way a CRM does it today (a per-lead Python loop over the rules, as Odoo or
SuiteCRM do: for each lead, for each rule, test the condition in Python, pick the rep by
round robin / least busy over the eligible reps with counters in dicts) beside the door's
`route_many`, on the same fixture as `cargo bench -p leadcore --bench routing` (rebuilt
here with the same integer generator). Asserts the same assignments; prints the ratio.

    .venv/bin/maturin develop --release -m crates/leadcore-py/Cargo.toml
    .venv/bin/python benches/routing_python.py [N]

Door timings are the best of three runs (each from a fresh routing state).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import leadcore

M64 = (1 << 64) - 1
REGIONS = ["NA-East", "NA-West", "EMEA-North", "EMEA-South", "DACH", "APAC", "LATAM", "ANZ"]
BANDS = [(1, 9), (10, 49), (50, 199), (200, 999), (1000, 5000)]
REGION_WEIGHTS = [30, 15, 15, 10, 10, 10, 5, 5]
BAND_WEIGHTS = [40, 30, 15, 10, 5]
NOW = datetime(2026, 3, 4, 16, 30, tzinfo=timezone.utc)
CALENDARS = {
    "ny": ("America/New_York", {"2026-01-01"}),
    "berlin": ("Europe/Berlin", {"2026-12-25"}),
}


class Rng:
    def __init__(self, seed: int) -> None:
        self.s = seed

    def next(self) -> int:
        self.s = (self.s + 0x9E3779B97F4A7C15) & M64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return self.next() % n


def reps() -> list[dict]:
    out = []
    for r in range(1000):
        terr = [REGIONS[r % 8]]
        second = REGIONS[(r * 3 + 1) % 8]
        if r % 3 == 0 and second != terr[0]:
            terr.append(second)
        calendar = {1: "ny", 2: "berlin"}.get(r % 5)
        out.append({
            "id": f"R{r:04}", "team": f"T{r // 50:02}", "territories": terr,
            "weight": 1 + (r % 4 == 0), "capacity": 300 + (r % 7) * 50,
            "daily_quota": 150 if r % 10 == 0 else None, "calendar": calendar,
            "time_zone": "America/Los_Angeles" if r % 40 == 11 else None,
        })
    return out


def rules() -> list[dict]:
    out: list[dict] = []
    for k in range(20):
        out.append({"name": f"fit{k:02}", "fit_ge": 90 - (k % 5) * 2,
                    "regions": [REGIONS[k % 8], REGIONS[(k + 3) % 8]],
                    "assign": ("round_robin", {"team": f"T{k % 20:02}", "territory_from": "region"})})
    for k in range(9):
        out.append({"name": f"partner{k}", "channel": f"partner{k}",
                    "assign": ("round_robin", {"reps": [f"R{k * 100 + j * 7:04}" for j in range(5)]})})
    for k in range(30):
        out.append({"name": f"ind{k:02}", "industry": f"ind{k:02}", "emp_ge": 1000,
                    "assign": ("least_busy", {"team": f"T{k % 20:02}"}), "fallback": ("queue", "overflow")})
    for b, (lo, hi) in enumerate(BANDS):
        for g, region in enumerate(REGIONS):
            out.append({"name": f"seg{b}_{g}", "band": (lo, hi), "region": region,
                        "assign": ("round_robin", {"team": f"T{(b * 8 + g) % 20:02}"}),
                        "fallback": ("least_busy", {"territory": region})})
    out.append({"name": "rest", "assign": ("least_busy", {"team": "T19"}), "fallback": ("queue", "overflow")})
    return out


def playbook_yaml(rs: list[dict], ru: list[dict]) -> str:
    y = ("schema_version: 1\nfields: {fit: {type: number}}\nlifecycle: {name: lead, initial: New, stages: [{name: New}]}\n"
         "calendars:\n  ny: {time_zone: America/New_York, hours: {mon-fri: [\"09:00-17:00\"]}, holidays: [\"2026-01-01\"]}\n"
         "  berlin: {time_zone: Europe/Berlin, hours: {mon-fri: [\"09:00-17:00\"]}, holidays: [\"2026-12-25\"]}\n"
         "routing:\n  queues: [{name: overflow}]\n  teams:\n")
    y += "".join(f"    - {{id: T{t:02}}}\n" for t in range(20))
    y += "  reps:\n"
    for r in rs:
        extra = ""
        if r["daily_quota"]:
            extra += f", daily_quota: {r['daily_quota']}"
        if r["calendar"]:
            extra += f", calendar: {r['calendar']}"
        if r["time_zone"]:
            extra += f", time_zone: {r['time_zone']}"
        y += (f"    - {{id: {r['id']}, team: {r['team']}, territories: [{', '.join(r['territories'])}], "
              f"weight: {r['weight']}, capacity: {r['capacity']}{extra}}}\n")
    y += "  rules:\n"

    def pool(p: dict) -> str:
        if "reps" in p:
            return f"{{reps: [{', '.join(p['reps'])}]}}"
        return "{" + ", ".join(f"{k}: {v}" for k, v in p.items()) + "}"

    def strat(s: tuple) -> str:
        return f"{{queue: {s[1]}}}" if s[0] == "queue" else f"{{{s[0]}: {{pool: {pool(s[1])}}}}}"

    for u in ru:
        if "fit_ge" in u:
            when = f"{{all: [{{field: fit, op: ge, value: {u['fit_ge']}}}, {{field: region, op: in, value: [{', '.join(u['regions'])}]}}]}}"
        elif "channel" in u:
            when = f"{{field: channel, op: eq, value: {u['channel']}}}"
        elif "industry" in u:
            when = f"{{all: [{{field: industry, op: eq, value: {u['industry']}}}, {{field: employees, op: ge, value: 1000}}]}}"
        elif "band" in u:
            when = f"{{all: [{{field: employees, op: between, value: [{u['band'][0]}, {u['band'][1]}]}}, {{field: region, op: eq, value: {u['region']}}}]}}"
        else:
            when = None
        line = f"    - {{name: {u['name']}, "
        if when:
            line += f"when: {when}, "
        line += f"assign: {strat(u['assign'])}"
        if "fallback" in u:
            line += f", fallback: [{strat(u['fallback'])}]"
        y += line + "}\n"
    return y


def leads(n: int, seed: int) -> list[dict]:
    rng = Rng(seed)

    def weighted(ws: list[int]) -> int:
        x = rng.below(sum(ws))
        for i, w in enumerate(ws):
            if x < w:
                return i
            x -= w
        return len(ws) - 1

    out = []
    for i in range(n):
        lead: dict = {"id": f"L{i}", "employees": None, "region": None, "fit": None}
        lo, hi = BANDS[weighted(BAND_WEIGHTS)]
        employees = lo + rng.below(hi - lo + 1)
        if rng.below(100) >= 3:
            lead["employees"] = employees
        region = weighted(REGION_WEIGHTS)
        if rng.below(100) >= 2:
            lead["region"] = REGIONS[region]
        a, b = rng.below(30), rng.below(30)
        lead["industry"] = f"ind{a * b // 30:02}"
        c = rng.below(100)
        lead["channel"] = f"partner{c % 9}" if c < 5 else "web"
        f1, f2 = rng.below(100), rng.below(100)
        if rng.below(10) != 0:
            lead["fit"] = (f1 * f2) // 99
        out.append(lead)
    return out


def crm_loop(rs: list[dict], ru: list[dict], ls: list[dict]) -> list[str]:
    """The per-lead loop: conditions in Python, counters in dicts."""
    by_id = {r["id"]: r for r in rs}
    open_leads = {r["id"]: 0 for r in rs}
    assigned = {r["id"]: 0 for r in rs}
    positions: dict[str, dict[str, int]] = {}
    available = {}
    for r in rs:
        if r["calendar"] is None:
            available[r["id"]] = True
            continue
        zone, holidays = CALENDARS[r["calendar"]]
        local = NOW.astimezone(ZoneInfo(r["time_zone"] or zone))
        available[r["id"]] = (local.weekday() < 5 and 9 * 60 <= local.hour * 60 + local.minute < 17 * 60
                              and local.date().isoformat() not in holidays)

    def eligible(rep: dict) -> bool:
        i = rep["id"]
        return (available[i] and open_leads[i] < rep["capacity"]
                and (rep["daily_quota"] is None or assigned[i] < rep["daily_quota"]))

    def members(p: dict, lead: dict) -> list[dict] | None:
        if "reps" in p:
            return [by_id[i] for i in p["reps"]]
        if "territory_from" in p:
            t = lead.get(p["territory_from"])
            if not t:
                return None
            return [r for r in rs if r["team"] == p["team"] and t in r["territories"]]
        if "team" in p:
            return [r for r in rs if r["team"] == p["team"]]
        return [r for r in rs if p["territory"] in r["territories"]]

    def pick(key: str, s: tuple, lead: dict) -> str | None:
        kind, p = s
        if kind == "queue":
            return p
        pool = members(p, lead) or []
        cand = [r for r in pool if eligible(r)]
        if not cand:
            return None
        if kind == "least_busy":
            return min(cand, key=lambda r: open_leads[r["id"]])["id"]
        pos = positions.setdefault(key, {})
        total = sum(r["weight"] for r in cand)
        best = None
        for r in cand:
            pos[r["id"]] = pos.get(r["id"], 0) + r["weight"]
            if best is None or pos[r["id"]] > pos[best]:
                best = r["id"]
        pos[best] -= total
        return best

    def holds(u: dict, lead: dict) -> bool:
        e, g = lead["employees"], lead["region"]
        if "fit_ge" in u:
            return lead["fit"] is not None and lead["fit"] >= u["fit_ge"] and g in u["regions"]
        if "channel" in u:
            return lead["channel"] == u["channel"]
        if "industry" in u:
            return lead["industry"] == u["industry"] and e is not None and e >= u["emp_ge"]
        if "band" in u:
            return e is not None and u["band"][0] <= e <= u["band"][1] and g == u["region"]
        return True

    out = []
    for lead in ls:
        who = "unassigned"
        for u in ru:
            if not holds(u, lead):
                continue
            got = pick(u["name"], u["assign"], lead)
            if got is None and "fallback" in u:
                got = pick(u["name"] + ".fallback[0]", u["fallback"], lead)
            if got is not None:
                who = got
                if got in open_leads:
                    open_leads[got] += 1
                    assigned[got] += 1
                break
        out.append(who)
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rs, ru = reps(), rules()
    ls = leads(n, 7)
    pb = leadcore.Playbook.parse(playbook_yaml(rs, ru))
    columns = {k: [l[k] for l in ls] for k in ("id", "employees", "region", "industry", "channel", "fit")}

    def timed(f):  # best of three: the machine is shared
        best, out = float("inf"), None
        for _ in range(3):
            t = time.perf_counter()
            out = f()
            best = min(best, time.perf_counter() - t)
        return best, out

    door, df = timed(lambda: pb.route_many(pb.routing_state(), columns, NOW))
    t = time.perf_counter()
    loop = crm_loop(rs, ru, ls)
    python = time.perf_counter() - t
    got = list(df["assignee"])
    assert got == loop, next(f"lead {i}: door {a}, loop {b}" for i, (a, b) in enumerate(zip(got, loop)) if a != b)
    print(f"{n} leads, 1000 reps, {len(ru)} rules: same assignments")
    print(f"python loop (CRM style): {python:.3f} s = {n / python:,.0f} decisions/s")
    print(f"route_many, dict of lists -> DataFrame: {door:.3f} s = {n / door:,.0f} decisions/s, "
          f"ratio {python / door:.1f}x")
    try:
        import pyarrow as pa
    except ImportError:
        return
    table = pa.table(columns)
    arrow, out = timed(lambda: pb.route_columns(pb.routing_state(), table, NOW))
    assert pa.table(out).column("assignee").to_pylist() == loop
    print(f"route_columns, pyarrow table -> ArrowTable: {arrow:.3f} s = {n / arrow:,.0f} decisions/s, "
          f"ratio {python / arrow:.1f}x")
    many, out = timed(lambda: pb.route_many(pb.routing_state(), table, NOW))
    assert list(out["assignee"]) == loop
    print(f"route_many, pyarrow table -> DataFrame: {many:.3f} s = {n / many:,.0f} decisions/s, "
          f"ratio {python / many:.1f}x")


if __name__ == "__main__":
    main()
