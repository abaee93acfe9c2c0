"""Smoke test of an installed leadcore wheel, run by scripts/test-wheel.sh inside a fresh
virtualenv (never against the source tree).

    python smoke.py bare      # no pandas, pyarrow, polars (nor numpy) installed
    python smoke.py pandas    # leadcore[pandas]: pandas and pyarrow (pandas exports Arrow with it)
    python smoke.py pyarrow   # only pyarrow
    python smoke.py polars    # only polars

Every mode checks that the package comes from the virtualenv, that importing and scoring
import no table library, and scores one lead and a small batch from plain lists; the other
modes then score the same batch from that library's own tables and check every score and
grade against the plain-list result, and that none of the other table libraries got
imported.
"""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
from datetime import datetime, timezone
from pathlib import Path

TABLE_LIBS = ("pandas", "pyarrow", "polars")
# The table libraries each mode's virtualenv has: the `leadcore[MODE]` extra's.
INSTALLED: dict[str, set[str]] = {"bare": set(), "pandas": {"pandas", "pyarrow"}, "pyarrow": {"pyarrow"}, "polars": {"polars"}}
NOW = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
AT = [
    datetime(2026, 1, 2, 10, tzinfo=timezone.utc),
    datetime(2026, 1, 3, 11, tzinfo=timezone.utc),
    datetime(2026, 1, 4, 12, tzinfo=timezone.utc),
    datetime(2026, 1, 4, 13, tzinfo=timezone.utc),
]
LEADS = {"id": ["A", "B", "C"], "employees": [120, 20, 3], "title": ["CTO", "Engineer", "CEO"]}
EVENTS = {
    "lead_id": ["A", "A", "B", "C"],
    "kind": ["email_opened", "web_visit", "email_opened", "email_opened"],
    "at": AT,
    "page": [None, "/pricing", None, None],
}


def loaded(name: str) -> bool:
    return name in sys.modules


def fail(msg: str) -> None:
    print(f"smoke: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond: bool, msg: str) -> None:
    if not cond:
        fail(msg)


def main(mode: str) -> None:
    check(mode in INSTALLED, f"unknown mode {mode!r}")
    # What this virtualenv has: exactly the libraries of this mode's extra, or none.
    for lib in TABLE_LIBS:
        present = importlib.util.find_spec(lib) is not None
        wanted = lib in INSTALLED[mode]
        check(present == wanted, f"{lib} {'is' if present else 'is not'} installed in the {mode} venv")
    if mode == "bare":
        check(importlib.util.find_spec("numpy") is None, "numpy is installed in the bare venv")

    import leadcore

    # The installed package, not the source tree.
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    pkg = Path(leadcore.__file__).resolve().parent
    check(pkg.parent == site, f"leadcore imported from {pkg}, not from {site}")
    ext = [p.name for p in pkg.glob("_leadcore*.so")]
    check(ext == ["_leadcore.abi3.so"], f"extension files {ext}")
    check((pkg / "py.typed").exists() and (pkg / "_leadcore.pyi").exists(), "stubs missing")
    check(leadcore.__version__ == leadcore.CORE_VERSION, "version mismatch")
    for lib in (*TABLE_LIBS, "numpy"):
        check(not loaded(lib), f"import leadcore imported {lib}")

    # One lead, then a batch from plain lists.
    pb = leadcore.Playbook.default()
    card = pb.score({"id": "B"}, [{"kind": "email_opened", "at": NOW}], NOW)
    check((card.score("engagement"), card.grade("fit")) == (2.0, "D"), f"card {card.to_dict()}")
    expected = pb.score_columns(LEADS, EVENTS, NOW)
    check(expected.lead_ids == ["A", "B", "C"], f"lead ids {expected.lead_ids}")
    check(not expected.row_errors, f"row errors {expected.row_errors}")
    lead = expected.models.index("lead")
    check(all(row[lead] > 0 for row in expected.scores), f"scores {expected.scores}")
    for lib in (*TABLE_LIBS, "numpy"):
        check(not loaded(lib), f"scoring from lists imported {lib}")

    if mode == "pandas":
        import pandas as pd

        leads = pd.DataFrame(LEADS)
        events = pd.DataFrame({**EVENTS, "at": pd.to_datetime(AT, utc=True)})
        df = pb.score_many(leads, events, NOW)
        check(isinstance(df, pd.DataFrame), f"score_many gave {type(df)}")
        check(list(df.index) == expected.lead_ids, f"lead ids {list(df.index)}")
        for m, model in enumerate(expected.models):
            got = list(df[f"score_{model}"])
            check(got == [row[m] for row in expected.scores], f"score_{model} {got}")
            if f"grade_{model}" in df:
                got = list(df[f"grade_{model}"])
                check(got == [row[m] for row in expected.grades], f"grade_{model} {got}")
        check(df.equals(pb.score_columns(leads, events, NOW).to_pandas()), "score_many != to_pandas()")
        n = len(df)
    elif mode == "pyarrow":
        import pyarrow as pa

        res = pb.score_columns(pa.table(LEADS), pa.table(EVENTS), NOW)
        check(res == expected, f"pyarrow batch {res.to_dict()} != {expected.to_dict()}")
        table = pa.table(res)  # results leave through __arrow_c_stream__
        check(table.column("lead_id").to_pylist() == expected.lead_ids, f"table {table}")
        n = table.num_rows
    elif mode == "polars":
        import polars as pl

        res = pb.score_columns(pl.DataFrame(LEADS), pl.DataFrame(EVENTS), NOW)
        check(res == expected, f"polars batch {res.to_dict()} != {expected.to_dict()}")
        frame = pl.DataFrame(res)  # results leave through __arrow_c_stream__
        check(frame["lead_id"].to_list() == expected.lead_ids, f"frame {frame}")
        check(res.to_polars().equals(frame), "to_polars() differs from pl.DataFrame(result)")
        n = frame.height
    else:
        # Without the table libraries a conversion says which extra brings it.
        for convert, extra in ((expected.to_pandas, "pandas"), (expected.to_arrow, "pyarrow"),
                               (expected.to_polars, "polars")):
            try:
                convert()
                check(False, f"{convert.__name__}() worked in the bare venv")
            except ImportError as e:
                check(f'leadcore[{extra}]' in str(e), f"{convert.__name__}(): {e}")
        n = len(expected)

    for lib in TABLE_LIBS:
        if lib not in INSTALLED[mode]:
            check(not loaded(lib), f"the {mode} run imported {lib}")
    print(f"smoke: {mode}: ok ({n} leads scored from the installed wheel at {pkg})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bare")
