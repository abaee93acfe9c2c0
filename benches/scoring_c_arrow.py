"""The realistic fixture through the C door's Arrow path (`leadcore_score_arrow`), timed
against the Rust core on the same fixture.

    cargo run --release --example realistic_fixture -- target/realistic-fixture
    cargo build --release -p leadcore-ffi
    .venv/bin/python benches/scoring_c_arrow.py target/realistic-fixture [target/release/libleadcore_ffi.so]

A C host holding Arrow data (Arrow C++, nanoarrow, DuckDB) hands the library an
`ArrowArrayStream`; here pyarrow exports the events through the Arrow C stream interface
and ctypes calls the shared library, the way a C program would: int64 lead ids, dictionary
text columns, leads as the JSON array the C door takes. The scores come back as an Arrow
stream and are checked equal to the core's (`scores.f64` of the same fixture).
"""

from __future__ import annotations

import ctypes
import json
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from scoring_realistic import door_tables, load  # noqa: E402


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
    _, events = door_tables(meta, cols, int_ids=True)
    leads_json = json.dumps([{"id": str(i)} for i in range(n)]).encode()
    reference = np.fromfile(folder / "scores.f64", dtype="<f8")
    model = "score_" + meta["models"][0]

    def timed(leads: bytes | None) -> float:
        best = float("inf")
        for _ in range(5):
            reader = pa.RecordBatchReader.from_batches(events.schema, events.to_batches())
            stream_in, stream_out, errors = Stream(), Stream(), Buf()
            reader._export_to_c(ctypes.addressof(stream_in))
            t = time.perf_counter()
            status = lib.leadcore_score_arrow(
                pb, leads, len(leads or b""), ctypes.byref(stream_in), ctypes.c_int64(meta["now"]),
                ctypes.byref(stream_out), ctypes.byref(errors), None,
            )
            best = min(best, time.perf_counter() - t)
            assert status == 0, status
            out = pa.RecordBatchReader._import_from_c(ctypes.addressof(stream_out)).read_all()
            lib.leadcore_buf_free(ctypes.byref(errors))
            ids = out.column("lead_id").to_numpy()
            scores = out.column(model).to_numpy()
            # With no leads JSON the leads come in order of first appearance, ids as integers.
            order = np.argsort(ids.astype(np.int64))
            got = np.zeros(n)
            got[ids.astype(np.int64)[order]] = scores[order]
            if leads is not None:
                got = scores
            active = np.zeros(n, dtype=bool)
            active[cols["lead"]] = True
            want = reference if leads is not None else np.where(active, reference, 0.0)
            assert np.array_equal(got, want), "C door differs from the core"
        return best

    with_json = timed(leads_json)
    without = timed(None)
    lib.leadcore_playbook_free(pb)

    core = meta["leadcore_best_seconds"]
    events_n = meta["events"]
    print(f"{events_n:,} events, {n:,} leads: all scores equal the core's")
    print(f"  Rust core (1 thread, from meta.json): {core:.3f} s, {events_n / core / 1e6:.1f} M events/s")
    for label, best in (("leads as JSON", with_json), ("no leads JSON: leads from the events' ids", without)):
        print(
            f"  C door, leadcore_score_arrow (Arrow stream in and out, {label}): {best:.3f} s, "
            f"{events_n / best / 1e6:.1f} M events/s, {100 * core / best:.0f}% of the core's rate"
        )


if __name__ == "__main__":
    main()
