"""The realistic fixture through the C door's Arrow path (`leadcore_score_arrow`, and
`leadcore_score_arrow_leads` with the leads as a stream too), timed against the Rust core on
the same fixture.

    cargo run --release --example realistic_fixture -- target/realistic-fixture
    cargo build --release -p leadcore-ffi
    cargo build --release --example realistic_core
    .venv/bin/python benches/scoring_c_arrow.py target/realistic-fixture [target/release/libleadcore_ffi.so [ROUNDS]]

A C host holding Arrow data (Arrow C++, nanoarrow, DuckDB) hands the library an
`ArrowArrayStream`; here pyarrow exports the events through the Arrow C stream interface
and ctypes calls the shared library, the way a C program would: int64 lead ids, dictionary
text columns, and the leads three ways: as the JSON array `leadcore_score_arrow` takes, as an
Arrow stream of one int64 `lead_id` column (`leadcore_score_arrow_leads`), and not at all
(the leads the events name); and the events as many record batches of 65,536 rows, as an
Arrow reader streams them (leads as an Arrow stream): each chunk of a column is copied into
one contiguous column today, which costs ~4x the one-batch call on this machine (see the
README's sixth-session paragraph). The variants alternate, round by round, so that a loaded
machine weighs on each alike; the best and the median of the rounds are printed. The scores
come back as an Arrow stream and are checked equal to the core's (`scores.f64` of the same
fixture). Only the call is timed: not the JSON's making, nor pyarrow's exports.

The Rust core's rate comes from the same rounds: each round also runs
`target/release/examples/realistic_core` (the core's `score_columns` on the fixture's own
columns, one warm-up batch then one timed, in a process of its own; `LEADCORE_CORE_BIN`
names another build), so the shares of the core's rate compare times of one run, not a
door's against the core's time `meta.json` kept from the fixture's making. Without that
binary the figure from `meta.json` is used, and said so.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from scoring_realistic import door_tables, load  # noqa: E402


# Rows per record batch of the `chunked` variant: the events streamed as an Arrow reader (DuckDB,
# Arrow C++) would hand them over, many batches rather than one.
CHUNK_ROWS = 65_536


class Buf(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class Stream(ctypes.Structure):
    # struct ArrowArrayStream: four callbacks and private data, all pointers.
    _fields_ = [(name, ctypes.c_void_p) for name in ("get_schema", "get_next", "get_last_error", "release", "private_data")]


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "target/realistic-fixture")
    lib_path = sys.argv[2] if len(sys.argv) > 2 else "target/release/libleadcore_ffi.so"
    lib = ctypes.CDLL(lib_path)
    meta, cols = load(folder)
    n = meta["leads"]

    pb = ctypes.c_void_p()
    text = json.dumps(meta["playbook"]).encode()
    assert lib.leadcore_playbook_parse(0, text, len(text), ctypes.byref(pb), None) == 0
    leads_table, events = door_tables(meta, cols, int_ids=True)
    leads_table = leads_table.rename_columns(["lead_id"])
    leads_json = json.dumps([{"id": str(i)} for i in range(n)]).encode()
    reference = np.fromfile(folder / "scores.f64", dtype="<f8")
    model = "score_" + meta["models"][0]
    active = np.zeros(n, dtype=bool)
    active[cols["lead"]] = True

    def export(table: pa.Table, rows: int | None = None) -> Stream:
        """The table as an Arrow C stream: its own batches, or batches of `rows` rows."""
        stream = Stream()
        batches = table.to_batches(max_chunksize=rows) if rows else table.to_batches()
        pa.RecordBatchReader.from_batches(table.schema, batches)._export_to_c(ctypes.addressof(stream))
        return stream

    def run(variant: str, events: pa.Table = events) -> float:
        """Times one call; checks its scores when given the fixture's events."""
        chunked = variant == "chunked"
        stream_in, stream_out, errors = export(events, CHUNK_ROWS if chunked else None), Stream(), Buf()
        now = ctypes.c_int64(meta["now"])
        if variant in ("arrow", "chunked"):
            leads_in = export(leads_table)
            t = time.perf_counter()
            status = lib.leadcore_score_arrow_leads(
                pb, ctypes.byref(leads_in), ctypes.byref(stream_in), now,
                ctypes.byref(stream_out), ctypes.byref(errors), None,
            )
        else:
            leads = leads_json if variant == "json" else None
            t = time.perf_counter()
            status = lib.leadcore_score_arrow(
                pb, leads, len(leads or b""), ctypes.byref(stream_in), now,
                ctypes.byref(stream_out), ctypes.byref(errors), None,
            )
        seconds = time.perf_counter() - t
        assert status == 0, (variant, status)
        out = pa.RecordBatchReader._import_from_c(ctypes.addressof(stream_out)).read_all()
        lib.leadcore_buf_free(ctypes.byref(errors))
        ids = out.column("lead_id").to_numpy()
        scores = out.column(model).to_numpy()
        if len(events) == 0:
            # The leads alone: every score is the fit of a lead with no fields, 0 here.
            assert np.array_equal(ids.astype(np.int64), np.arange(n)) and not scores.any(), variant
            return seconds
        if variant == "none":
            # The leads in order of first appearance, ids as integers.
            got = np.zeros(n)
            got[ids.astype(np.int64)] = scores
            want = np.where(active, reference, 0.0)
        else:
            # One row per lead in the leads' order: text ids from JSON, int64 from Arrow.
            assert np.array_equal(ids.astype(np.int64), np.arange(n)), variant
            got, want = scores, reference
        assert np.array_equal(got, want), f"C door ({variant}) differs from the core"
        return seconds

    core_bin = Path(os.environ.get("LEADCORE_CORE_BIN", "target/release/examples/realistic_core"))

    def run_core() -> float:
        """One timed batch of the Rust core in a process of its own (after a warm-up)."""
        out = subprocess.run([str(core_bin), str(folder), "1"], check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])["seconds"][0]

    variants = ["json", "arrow", "none", "chunked"]
    rotation = variants + (["core"] if core_bin.exists() else [])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    times: dict[str, list[float]] = {v: [] for v in rotation}
    for r in range(rounds):
        # Each round starts with another variant.
        k = r % len(rotation)
        for v in rotation[k:] + rotation[:k]:
            times[v].append(run_core() if v == "core" else run(v))
    # What the leads alone cost: the same calls with no events (the leads' 100 k ids read,
    # their lookup made, the scores batch written).
    no_events = events.slice(0, 0)
    alone: dict[str, list[float]] = {v: [] for v in variants[:2]}
    for r in range(4 * rounds):
        for v in variants[:2] if r % 2 == 0 else variants[1::-1]:
            alone[v].append(run(v, no_events))
    lib.leadcore_playbook_free(pb)

    events_n = meta["events"]
    print(f"{events_n:,} events, {n:,} leads: all scores equal the core's ({rounds} alternating rounds)")
    if "core" in times:
        core = min(times["core"])
        print(
            f"  Rust core (1 thread, realistic_core in the same rounds): best {core:.3f} s "
            f"(median {float(np.median(times['core'])):.3f} s), {events_n / core / 1e6:.1f} M events/s"
        )
        print("    rounds: " + " ".join(f"{t:.3f}" for t in times["core"]))
    else:
        core = meta["leadcore_best_seconds"]
        print(
            f"  Rust core (1 thread, from meta.json: {core_bin} not built, so not alternated): "
            f"{core:.3f} s, {events_n / core / 1e6:.1f} M events/s"
        )
    labels = {
        "json": "leadcore_score_arrow, leads as JSON",
        "arrow": "leadcore_score_arrow_leads, leads as an Arrow stream",
        "none": "leadcore_score_arrow, no leads JSON: leads from the events' ids",
        "chunked": f"leadcore_score_arrow_leads, the events as batches of {CHUNK_ROWS:,} rows (as Arrow readers stream them)",
    }
    for v in variants:
        best, median = min(times[v]), float(np.median(times[v]))
        print(
            f"  C door, {labels[v]}: best {best:.3f} s (median {median:.3f} s), "
            f"{events_n / best / 1e6:.1f} M events/s, {100 * core / best:.0f}% of the core's rate"
        )
        print("    rounds: " + " ".join(f"{t:.3f}" for t in times[v]))
    for v in variants[:2]:
        best, median = min(alone[v]), float(np.median(alone[v]))
        print(f"  the {n:,} leads alone (no events), {labels[v]}: best {1e3 * best:.1f} ms (median {1e3 * median:.1f} ms)")


if __name__ == "__main__":
    main()
