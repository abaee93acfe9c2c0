"""The `logistic` predictive mode through the Python door: `LogisticModel` with a scikit-learn
surface. pandas, polars, pyarrow and dict inputs give identical probabilities; predict_proba is
scikit-learn's (rows, 2) [lost, won]; explanations (an Arrow table in long form) sum to the
logit exactly; the model survives JSON and pickle; bad inputs raise typed errors."""

from __future__ import annotations

import json
import pickle
import threading
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import leadcore

N = 60
SOURCES = ["web", "fair", "referral", "ads", "web", "fair"]


def columns() -> dict[str, list[Any]]:
    return {
        "source": [None if i % 17 == 3 else SOURCES[i % 6] for i in range(N)],
        "visits": [None if i % 13 == 5 else float((i * 7) % 11) + (0.5 if i % 4 == 0 else 0.0) for i in range(N)],
        "team": ["north" if (i // 4) % 2 else "south" for i in range(N)],
        "lead_id": [f"L-{i}" for i in range(N)],
    }


def outcomes() -> list[bool]:
    c = columns()
    return [
        (c["source"][i] == "web" and (c["visits"][i] or 0) > 4) or (c["source"][i] == "referral" and i % 2 == 0) or i % 9 == 0
        for i in range(N)
    ]


CONFIG: dict[str, Any] = {
    "features": [
        {"name": "source", "kind": "categorical", "min_count": 3},
        {"name": "visits", "kind": "numeric", "bins": 3},
    ],
    "group": "team",
    "folds": 3,
    "seed": 7,
}

SCORE = {
    "source": ["web", "fair", "trade show", None],
    "visits": [10.0, 0.0, None, 3.0],
    "team": ["north", "south", "east", None],
}


@pytest.fixture(scope="module")
def model() -> leadcore.LogisticModel:
    return leadcore.LogisticModel(CONFIG).fit(columns(), outcomes())


def test_fit_returns_self_and_reports(model: leadcore.LogisticModel) -> None:
    m = leadcore.LogisticModel(CONFIG)
    assert not m.is_fitted and m.summary is None
    assert m.fit(columns(), outcomes()) is m
    assert m.is_fitted
    summary = m.summary
    assert summary is not None and summary["rows"] == N and summary["positives"] == sum(outcomes())
    assert m.classes_ == [False, True]
    assert repr(m) == f"LogisticModel(features=['source', 'visits'], rows={N}, positives={sum(outcomes())})"
    assert repr(leadcore.LogisticModel()) == "LogisticModel(features=None, fitted=False)"


def test_predict_proba_is_scikit_learns_shape(model: leadcore.LogisticModel) -> None:
    p = model.predict_proba(SCORE)
    assert isinstance(p, np.ndarray) and p.shape == (4, 2) and p.dtype == np.float64
    assert np.allclose(p.sum(axis=1), 1.0)
    assert ((p >= 0) & (p <= 1)).all()
    assert p[0, 1] > p[1, 1]  # web with many visits beats fair with none
    z = model.predict_logit(SCORE)
    assert isinstance(z, np.ndarray) and z.shape == (4,)


def test_pandas_polars_pyarrow_and_dicts_agree(model: leadcore.LogisticModel) -> None:
    want = model.predict_proba(SCORE)
    df = pd.DataFrame(SCORE)
    inputs: list[Any] = [
        df,
        df.astype({"source": "category"}),
        pl.DataFrame(SCORE),
        pl.DataFrame(SCORE).with_columns(pl.col("source").cast(pl.Categorical)),
        pa.table(SCORE),
        pa.table(SCORE).cast(
            pa.schema([("source", pa.large_string()), ("visits", pa.float32()), ("team", pa.string_view())])
        ),
        pa.table({**SCORE, "source": pa.array(SCORE["source"]).dictionary_encode()}),
        {k: np.array(v, dtype=object) for k, v in SCORE.items()},
    ]
    for x in inputs:
        assert np.array_equal(model.predict_proba(x), want), type(x)
    # Training from each library gives the same model, too.
    y = outcomes()
    for x, yy in [
        (pd.DataFrame(columns()), pd.Series(y)),
        (pl.DataFrame(columns()), pl.Series(y)),
        (pa.table(columns()), pa.array(y)),
        (columns(), np.array(y, dtype=np.int64)),
    ]:
        m = leadcore.LogisticModel(CONFIG).fit(x, yy)
        assert m.to_json() == model.to_json(), type(x)


def test_explanations_sum_to_the_logit(model: leadcore.LogisticModel) -> None:
    table = pa.table(model.explain(SCORE))
    assert table.column_names == ["row", "feature", "value", "contribution"]
    rows = table.to_pylist()
    logits = model.predict_logit(SCORE)
    for r in range(4):
        terms = [t for t in rows if t["row"] == r]
        assert terms[0]["feature"] == "(intercept)" and terms[0]["value"] is None
        assert [t["feature"] for t in terms[1:]] in (["source", "visits", "team"], ["source", "visits"])
        total = 0.0
        for t in terms:
            total += t["contribution"]
        assert total == logits[r]  # exactly: summed in the core's order
    assert rows[1 + 4 * 0]["value"] == "web"
    values = {t["value"] for t in rows}
    assert "(other)" in values and "(missing)" in values
    # polars and pandas read the table too; the JSON form carries the calibrated probability.
    assert pl.DataFrame(model.explain(SCORE)).height == len(rows)
    explained = json.loads(model.explain(SCORE, json=True))
    assert [e["probability"] for e in explained] == model.predict_proba(SCORE)[:, 1].tolist()


def test_json_and_pickle_round_trips(model: leadcore.LogisticModel) -> None:
    want = model.predict_proba(SCORE)
    back = leadcore.LogisticModel.from_json(model.to_json())
    assert np.array_equal(back.predict_proba(SCORE), want)
    assert back.config == model.config
    pickled = pickle.loads(pickle.dumps(model))
    assert isinstance(pickled, leadcore.LogisticModel)
    assert np.array_equal(pickled.predict_proba(SCORE), want)
    unfitted = pickle.loads(pickle.dumps(leadcore.LogisticModel(CONFIG)))
    assert not unfitted.is_fitted and unfitted.config == leadcore.LogisticModel(CONFIG).config


def test_without_a_config_every_column_is_a_feature() -> None:
    x = {k: v for k, v in columns().items() if k != "lead_id"}
    m = leadcore.LogisticModel().fit(pd.DataFrame(x), outcomes())
    config = m.config
    assert config is not None
    assert [(f["name"], f["kind"]) for f in config["features"]] == [
        ("source", "categorical"),
        ("visits", "numeric"),
        ("team", "categorical"),
    ]
    assert m.predict_proba(pd.DataFrame(x)).shape == (N, 2)
    # A JSON config works like a dict.
    assert leadcore.LogisticModel(json.dumps(CONFIG)).config == leadcore.LogisticModel(CONFIG).config


def test_threads_share_a_fitted_model(model: leadcore.LogisticModel) -> None:
    want = model.predict_proba(SCORE)
    results: list[bool] = []

    def work() -> None:
        results.append(bool(np.array_equal(model.predict_proba(SCORE), want)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 4


def test_bad_inputs_raise_typed_errors(model: leadcore.LogisticModel) -> None:
    y = outcomes()
    with pytest.raises(leadcore.InputError, match="empty"):
        leadcore.LogisticModel(CONFIG).fit(pd.DataFrame({"source": [], "visits": [], "team": []}), [])
    with pytest.raises(leadcore.InputError, match="both won and lost"):
        leadcore.LogisticModel(CONFIG).fit(columns(), [False] * N)
    with pytest.raises(leadcore.InputError, match="no column `visits`"):
        model.predict_proba({"source": ["web"], "team": ["north"]})
    with pytest.raises(leadcore.InputError, match="`visits`"):
        model.predict_proba(pa.table({"source": ["web"], "visits": ["3"], "team": ["north"]}))
    with pytest.raises(leadcore.InputError, match="`source`"):
        model.predict_proba(pd.DataFrame({"source": [1.5], "visits": [3.0], "team": ["north"]}))
    with pytest.raises(leadcore.InputError, match="row 2"):
        leadcore.LogisticModel(CONFIG).fit(columns(), [1, 0, 2] + [int(v) for v in y[3:]])
    with pytest.raises(leadcore.InputError, match="row 1"):
        leadcore.LogisticModel(CONFIG).fit(columns(), pd.Series([1.0, None] + [float(v) for v in y[2:]]))
    with pytest.raises(leadcore.InputError, match="outcomes for"):
        leadcore.LogisticModel(CONFIG).fit(columns(), y[:-1])
    with pytest.raises(leadcore.InputError, match="not fitted"):
        leadcore.LogisticModel(CONFIG).predict_proba(SCORE)
    with pytest.raises(leadcore.InputError, match="not fitted"):
        leadcore.LogisticModel().to_json()
    with pytest.raises(leadcore.InputError):
        leadcore.LogisticModel({"features": [{"name": "x", "kind": "weird"}]})
    with pytest.raises(leadcore.InputError, match="l2"):
        leadcore.LogisticModel({**CONFIG, "l2": -1}).fit(columns(), y)
    with pytest.raises(leadcore.InputError, match="which no feature reads"):
        leadcore.LogisticModel().fit(pd.DataFrame({"when": pd.to_datetime(["2026-01-01"] * 2)}), [True, False])
    stored = json.loads(model.to_json())
    stored["schema_version"] = 9
    with pytest.raises(leadcore.VersionError):
        leadcore.LogisticModel.from_json(json.dumps(stored))
    with pytest.raises(TypeError):
        model.predict_proba(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        leadcore.LogisticModel(CONFIG).fit(columns(), None)  # type: ignore[arg-type]
    # Every one is a LeadcoreError with a stable code, as elsewhere.
    with pytest.raises(leadcore.LeadcoreError) as e:
        leadcore.LogisticModel(CONFIG).fit(columns(), [True] * N)
    assert e.value.code == "input.invalid"


def test_a_model_of_one_schema_refuses_frames_of_another() -> None:
    """A model trained for one playbook (its schema tag) scores only frames tagged with it:
    another playbook's leads, or untagged ones, are refused with a typed error."""
    m = leadcore.LogisticModel({**CONFIG, "schema": "playbook-A"}).fit(columns(), outcomes(), schema="playbook-A")
    p = m.predict_proba(SCORE, schema="playbook-A")
    assert len(p) == 4
    with pytest.raises(leadcore.InputError, match="schema `playbook-A`"):
        m.predict_proba(SCORE, schema="playbook-B")
    with pytest.raises(leadcore.InputError, match="schema `playbook-A`"):
        m.explain(SCORE)
    with pytest.raises(leadcore.InputError, match="schema `playbook-A`"):
        leadcore.LogisticModel({**CONFIG, "schema": "playbook-A"}).fit(columns(), outcomes())
