"""Writes the `odoo_score` events of tests/vectors/predictive_odoo_*/input.jsonl.

Each case re-creates a scenario of Odoo's own tests (addons/crm/tests/test_crm_pls.py) or of
issue #10 as leadcore records; the numbers those tests assert are in each SOURCE.md and are
what expected.jsonl must show. Run from the repository root: python3 scripts/gen_predictive_vectors.py
"""
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "vectors")
PLAYBOOK = """# Predictive scoring (odoo mode): the events carry their own configuration.
schema_version: 1
name: predictive
lifecycle:
  name: lead
  initial: New
  stages:
    - {name: New}
    - {name: Won, kind: won, terminal: true}
  transitions:
    - {from: New, to: Won}
"""
# Odoo's default pipeline: New (1), Qualified (2), Proposition (3), Won (70).
STAGES = [
    {"id": "1", "sequence": 1},
    {"id": "2", "sequence": 2},
    {"id": "3", "sequence": 3},
    {"id": "4", "sequence": 70, "won": True},
]
WON = "4"


def canon(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def write_case(name, events):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "playbook.yaml"), "w") as f:
        f.write(PLAYBOOK)
    with open(os.path.join(d, "input.jsonl"), "w") as f:
        for e in events:
            f.write(canon({"odoo_score": e}) + "\n")


def rec(id, team=None, stage=None, status="open", tags=(), **values):
    r = {"id": str(id), "status": status}
    if team is not None:
        r["team"] = team
    if stage is not None:
        r["stage"] = stage
    if values:
        r["values"] = values
    if tags:
        r["tags"] = list(tags)
    return r


def cfg(fields, bug=False):
    c = {"stages": STAGES, "fields": fields}
    if bug:
        c["bug_compatible"] = True
    return c


# ---- issue #10's check vectors ------------------------------------------------------------
def check():
    closed = [
        rec("a", "1", "1", "lost", country_id="c0", state_id="s0", source_id="src0"),
        rec("b", "1", "2", "lost", country_id="c1", state_id="s1", source_id="src1"),
        rec("c", "1", WON, "won", country_id="c2", state_id="s2", source_id="src2"),
    ]
    pending = rec("d", "1", "2", country_id="c0", state_id="s1", source_id="src2")
    first = rec("e", "1", "1")
    f3 = ["country_id", "state_id", "source_id"]
    return [
        {"config": cfg(f3), "train": closed, "score": [pending], "explain": True, "show_table": []},
        {"config": cfg([]), "train": closed, "score": [first], "explain": True},
        {"config": cfg(f3, bug=True), "train": closed, "score": [pending, first]},
    ]


# ---- test_crm_pls.py: test_predictive_lead_scoring ----------------------------------------
# (team, country, state, source, stage); email_state / phone_state are unset for every lead
# (the test's values are recomputed away: no email nor phone), so all count as "False".
LEADS = [
    ("1", "c0", "s0", "src0", "1"), ("1", "c1", "s1", "src1", "2"), ("1", "c2", "s2", "src2", "3"),
    ("1", "c0", "s1", "src2", "2"), ("1", "c1", "s1", "src1", "1"),
    ("2", "c0", "s1", "src1", "3"), ("2", "c0", "s1", "src2", "2"), ("2", "c0", "s2", "src2", "1"),
    ("2", "c0", "s1", "src2", "2"), ("2", "c1", "s0", "src1", "2"),
    ("3", "c1", "s1", "src1", "3"), ("3", "c0", "s1", "src0", "1"), ("3", "c1", "s2", "src2", "1"),
    ("3", "c0", "s1", "src2", "2"),
]
CLOSED = {0: "lost", 1: "lost", 2: "won", 5: "lost", 6: "lost", 7: "won", 10: "won", 11: "lost", 12: "lost"}
PLS_FIELDS = ["country_id", "state_id", "email_state", "phone_state", "source_id", "tag_ids"]


def lead(i, no_team3=False, stage=None, status=None, country=None):
    team, c, s, src, st = LEADS[i]
    if no_team3 and team == "3":
        team = None
    status = status or CLOSED.get(i, "open")
    if status == "won":
        st = WON  # action_set_won moves the lead to the won stage
    return rec(f"L{i}", team, stage or st, status, country_id=country or c, state_id=s, source_id=src)


def crm_pls(semantics):
    closed = lambda no3: [lead(i, no3) for i in CLOSED]
    live = [{"record": lead(4, True), "active": True, "probability": 30.0},
            {"record": lead(9, True), "active": True, "probability": 20.0}]
    if semantics == "won_status":
        writes = [
            {"id": "L4", "active": False}, {"id": "L4", "probability": 0.0},  # action_set_lost
            {"id": "L9", "stage": WON, "probability": 100.0},  # action_set_won
        ]
        after_b = [
            # action_unarchive: restore; Odoo recomputes the (automated) probability
            {"id": "L4", "active": True, "probability": 30.0},
            {"id": "L4", "stage": WON},  # to the won stage
            {"id": "L4", "active": False},  # archive in a won stage: still won
            {"id": "L4", "stage": "1"},  # back to the first stage: pending (probability 100)
            {"id": "L4", "probability": 0.0},  # archived and 0: lost
            {"id": "L4", "active": True, "probability": 30.0},  # restore
        ]
    else:  # Odoo 16-17: action_archive writes active then probability 0
        writes = [
            {"id": "L4", "active": False}, {"id": "L4", "probability": 0.0},
            {"id": "L9", "stage": WON, "probability": 100.0},
        ]
        # archiving in a won stage counts a loss at the won stage's sequence, the restore
        # from the first stage takes it back from the first stage only: legacy drift
        after_b = [
            {"id": "L4", "active": True, "probability": 30.0},
            {"id": "L4", "stage": WON},
            {"id": "L4", "active": False}, {"id": "L4", "probability": 0.0},
            {"id": "L4", "stage": "1"},
            {"id": "L4", "active": True, "probability": 30.0},
        ]
    vars_shown = ["stage_id", "country_id", "email_state"]
    ev = []
    if semantics == "won_status":
        # A. full rebuild, team 3 as its own team, then without a team
        ev.append({"config": cfg(PLS_FIELDS), "train": closed(False),
                   "score": [lead(3), lead(8), lead(13)], "show_table": vars_shown})
        ev.append({"config": cfg(PLS_FIELDS), "train": closed(True),
                   "score": [lead(13, True)], "explain": True})
    # B. live increments: L4 lost, L9 won
    ev.append({"config": cfg(PLS_FIELDS), "train": closed(True), "live": live, "writes": writes,
               "semantics": semantics, "score": [lead(3), lead(8)], "show_table": vars_shown})
    # ... then L4 back and forth; L3 and L8 moved to the first stage; L8's country changed
    ev.append({"config": cfg(PLS_FIELDS), "train": closed(True), "live": live,
               "writes": writes + after_b, "semantics": semantics,
               "score": [lead(3, stage="1"), lead(8, stage="1"),
                         lead(8, stage="1", country="c1")],
               "show_table": vars_shown})
    return ev


# ---- test_crm_pls.py: the tag part of test_predictive_lead_scoring ------------------------
def tags():
    closed = []
    for i in range(150):
        t = ["t1"] if i < 50 else ["t2"] if i < 100 else ["t1", "t2"]
        if i < 30 or 50 <= i < 90 or 100 <= i < 135:
            status = "lost"
        elif 31 <= i < 50 or 91 <= i < 100 or 136 <= i < 150:
            status = "won"
        else:
            continue
        closed.append(rec(f"T{i}", "9", WON if status == "won" else "1", status, tags=t))
    p = lambda id, t: rec(id, "9", "1", tags=t)
    with_tags = [p("T30", ["t1"]), p("T90", ["t2"]), p("T135", ["t1", "t2"]),
                 p("T30-none", []), p("T135-t1", ["t1"]),
                 p("T30-t2", ["t2"]), p("T90-t1t2", ["t2", "t1"])]
    return [
        {"config": cfg(PLS_FIELDS), "train": closed, "score": with_tags, "explain": True,
         "show_table": ["tag_id", "stage_id"]},
        {"config": cfg(PLS_FIELDS[:-1]), "train": closed, "score": with_tags},
    ]


# ---- test_crm_pls.py: test_predictive_lead_scoring_always_won -----------------------------
def clamps():
    def table(w, l):
        rows = [
            {"team": "1", "variable": "stage_id", "value": "1", "won": w, "lost": l},
            {"team": "1", "variable": "stage_id", "value": "2", "won": 1.1, "lost": 0.1},
            {"team": "1", "variable": "stage_id", "value": "3", "won": 1.1, "lost": 0.1},
            {"team": "1", "variable": "stage_id", "value": WON, "won": 1.1, "lost": 0.1},
            {"team": "1", "variable": "country_id", "value": "c0", "won": 1.1, "lost": 1.1},
            {"team": "1", "variable": "tag_id", "value": "edge", "won": w, "lost": l},
        ]
        return {"schema_version": 1, "rows": rows}
    leads = [rec("pending", "1", "1", tags=["edge"], country_id="c0"),
             rec("won", "1", WON, tags=["edge"], country_id="c0")]
    return [
        {"config": cfg(["country_id"]), "table": table(10000000, 1), "score": leads},
        {"config": cfg(["country_id"]), "table": table(1, 10000000), "score": leads},
        {"config": cfg(["country_id", "tag_ids"]), "table": table(1, 10000000), "score": leads, "explain": True},
    ]


# ---- test_crm_pls.py: test_pls_tooltip_data ------------------------------------------------
def tooltip():
    T = "7"
    closed = [
        rec("A", T, WON, "won", country_id="c0", state_id="s0", source_id="src1", email_state="correct", phone_state="correct"),
        rec("B", T, WON, "won", country_id="c1", state_id="s0", email_state="correct", phone_state="correct"),
        rec("C", T, "1", "lost", source_id="src0", email_state="correct", phone_state="incorrect"),
        rec("D", T, "1", "lost", country_id="c0", source_id="src0", email_state="correct", phone_state="incorrect"),
        rec("E", T, "3", "lost", state_id="s1", email_state="correct", phone_state="correct"),
    ]
    lead = rec("Tooltip", T, "2", country_id="c0", state_id="s0", source_id="src0", email_state="correct", phone_state="correct")
    return [{"config": cfg(["country_id", "state_id", "email_state", "phone_state", "source_id"]),
             "train": closed, "score": [lead], "explain": True}]


# ---- leadcore: Odoo's quirks, fixed and with bug_compatible --------------------------------
def quirks():
    ev = []
    # 1. stale prior: team 5 has rows but no first-stage row
    table = {"schema_version": 1, "rows": [
        {"team": "2", "variable": "stage_id", "value": "1", "won": 3.1, "lost": 1.1},
        {"team": "2", "variable": "stage_id", "value": "2", "won": 3.1, "lost": 0.1},
        {"team": "5", "variable": "country_id", "value": "c0", "won": 2.1, "lost": 0.1},
        {"team": "5", "variable": "country_id", "value": "c1", "won": 0.1, "lost": 4.1},
    ]}
    batch = [rec("x", "2", "2", country_id="c0"), rec("y", "5", "2", country_id="c0"),
             rec("z", "5", "2", country_id="c1")]
    for bug in (False, True):
        ev.append({"config": cfg(["country_id"], bug), "table": table, "score": batch})
    # 2. a lost lead moved straight to a won stage (won_status): leave lost with which values?
    closed = [rec("a", "1", "1", "lost", country_id="c0"), rec("b", "1", "2", "lost", country_id="c0"),
              rec("c", "1", WON, "won", country_id="c1")]
    live = [{"record": rec("a", "1", "1", "lost", country_id="c0"), "active": False, "probability": 0.0}]
    for bug in (False, True):
        ev.append({"config": cfg(["country_id"], bug), "train": closed, "live": live,
                   "writes": [{"id": "a", "stage": WON}], "semantics": "won_status",
                   "score": [], "show_table": []})
    # 3. decrementing rows that are missing (a restore the table never saw)
    live = [{"record": rec("g", "1", "2", "lost", country_id="c9"), "active": False, "probability": 0.0}]
    for bug in (False, True):
        ev.append({"config": cfg(["country_id"], bug), "train": closed, "live": live,
                   "writes": [{"id": "g", "active": True}], "semantics": "won_status",
                   "score": [rec("h", "1", "1", country_id="c9")], "show_table": []})
    # 4. bad input: an unknown stage, a bad configuration, a table of another schema
    ev.append({"config": cfg(["country_id"]), "train": [rec("u", "1", "99", "lost")], "score": []})
    ev.append({"config": {"stages": [], "fields": ["stage_id", "x", "x"]}, "score": []})
    ev.append({"config": cfg([]), "table": {"schema_version": 2, "rows": []}, "score": []})
    ev.append({"config": cfg([]), "train": [], "live": [], "writes": [{"id": "nobody", "active": False}]})
    return ev


write_case("predictive_odoo_check", check())
write_case("predictive_odoo_crm_pls", crm_pls("won_status") + crm_pls("legacy"))
write_case("predictive_odoo_tags", tags())
write_case("predictive_odoo_clamps", clamps())
write_case("predictive_odoo_tooltip", tooltip())
write_case("predictive_odoo_quirks", quirks())
