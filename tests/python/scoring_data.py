"""Scoring fixtures shared by the scoring tests: the seed's worked example (default
playbook, model `engagement`: Lead A = 76, Lead B = 19) and the decaying vector playbook."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import leadcore
from conftest import VECTORS

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

LEAD_A: dict[str, Any] = {
    "id": "A",
    "custom": {"budget": 5000000},
    "firmographics": {"employees": 120, "title": "VP Sales", "users": 25},
}
LEAD_B: dict[str, Any] = {"id": "B", "firmographics": {"employees": 8}}
LEAD_C: dict[str, Any] = {"id": "C", "firmographics": {"employees": 30}}


def minutes(m: float) -> datetime:
    """DAY0 plus some minutes."""
    return DAY0 + timedelta(minutes=m)


def activities_a() -> list[dict[str, Any]]:
    """Lead A: three e-books, three welcome e-mails opened and clicked, a trial sign-up."""
    acts: list[dict[str, Any]] = []
    acts += [{"kind": "content_downloaded", "at": minutes(i), "content_id": f"ebook-{i}"} for i in range(3)]
    acts += [{"kind": "email_opened", "at": minutes(10 + i), "campaign": "welcome"} for i in range(3)]
    acts += [{"kind": "email_clicked", "at": minutes(20 + i), "campaign": "welcome"} for i in range(3)]
    acts.append({"kind": "trial_signup", "at": minutes(60)})
    return acts


def activities_b() -> list[dict[str, Any]]:
    """Lead B: the pricing page once, two e-mails opened."""
    return [
        {"kind": "web_visit", "at": minutes(0), "page": "/pricing", "seconds": 75},
        {"kind": "email_opened", "at": minutes(5)},
        {"kind": "email_opened", "at": minutes(6)},
    ]


def columns(rows: list[tuple[str, dict[str, Any]]]) -> dict[str, list[Any]]:
    """Events as a dict of columns (times as Unix seconds)."""
    names = ["lead_id", "kind", "at", "page", "seconds", "campaign", "form_id", "content_id"]
    out: dict[str, list[Any]] = {n: [] for n in names}
    for lead_id, a in rows:
        out["lead_id"].append(lead_id)
        out["kind"].append(a["kind"])
        out["at"].append(int(a["at"].timestamp()))
        for n in names[3:]:
            out[n].append(a.get(n))
    return out


def worked_example_columns() -> dict[str, list[Any]]:
    return columns([("A", a) for a in activities_a()] + [("B", b) for b in activities_b()])


def decay_playbook() -> leadcore.Playbook:
    """The decaying playbook of the shared vectors (half-life, expiry, caps, a threshold)."""
    return leadcore.Playbook.from_file(VECTORS / "scoring_decay_thresholds_predict" / "playbook.yaml")
