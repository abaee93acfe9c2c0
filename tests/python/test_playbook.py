"""Loading playbooks: formats, files, parse errors with paths, validation errors in full."""

from __future__ import annotations

import json
import pickle
import tomllib
from pathlib import Path

import pytest

import leadcore

TOML = """
schema_version = 1
name = "tiny"
[lifecycle]
name = "lead"
initial = "New"
stages = [{ name = "New" }, { name = "Qualified" }]
transitions = [{ from = "New", to = "Qualified" }]
"""

YAML = """
schema_version: 1
name: tiny
lifecycle:
  name: lead
  initial: New
  stages: [{name: New}, {name: Qualified}]
  transitions: [{from: New, to: Qualified}]
"""

JSON = json.dumps(
    {
        "schema_version": 1,
        "name": "tiny",
        "lifecycle": {
            "name": "lead",
            "initial": "New",
            "stages": [{"name": "New"}, {"name": "Qualified"}],
            "transitions": [{"from": "New", "to": "Qualified"}],
        },
    }
)


@pytest.mark.parametrize(("text", "fmt"), [(TOML, "toml"), (YAML, "yaml"), (YAML, "yml"), (YAML, "YAML"), (JSON, "json")])
def test_each_format_loads_the_same_playbook(text: str, fmt: str) -> None:
    pb = leadcore.Playbook.parse(text, fmt)
    assert pb.name == "tiny"
    assert pb.pipelines == ["lead"]
    assert pb.stages("lead") == ["New", "Qualified"]
    assert json.loads(pb.to_json()) == json.loads(leadcore.Playbook.parse(JSON, "json").to_json())


def test_yaml_is_the_default_format() -> None:
    assert leadcore.Playbook.parse(YAML).name == "tiny"


def test_unknown_format_is_an_input_error() -> None:
    with pytest.raises(leadcore.InputError, match="xml"):
        leadcore.Playbook.parse(YAML, "xml")


def test_from_file_takes_the_format_from_the_extension(tmp_path: Path) -> None:
    for ext, text in [("toml", TOML), ("yaml", YAML), ("yml", YAML), ("json", JSON)]:
        path = tmp_path / f"playbook.{ext}"
        path.write_text(text, encoding="utf-8")
        assert leadcore.Playbook.from_file(path).name == "tiny"
        assert leadcore.Playbook.from_file(str(path)).name == "tiny"
    odd = tmp_path / "playbook.txt"
    odd.write_text(YAML, encoding="utf-8")
    with pytest.raises(leadcore.InputError, match="extension"):
        leadcore.Playbook.from_file(odd)
    assert leadcore.Playbook.from_file(odd, "yaml").name == "tiny"
    with pytest.raises(FileNotFoundError):
        leadcore.Playbook.from_file(tmp_path / "missing.yaml")


def test_default_playbook_round_trips_through_json() -> None:
    pb = leadcore.Playbook.default()
    again = leadcore.Playbook.parse(pb.to_json(), "json")
    assert again.to_json() == pb.to_json()
    assert repr(pb) == "Playbook(name='default', pipelines=['lead', 'new_business'])"


def test_playbook_pickles() -> None:
    pb = leadcore.Playbook.default()
    assert pickle.loads(pickle.dumps(pb)).to_json() == pb.to_json()


def test_json_schema_is_a_dict() -> None:
    schema = leadcore.Playbook.json_schema()
    assert isinstance(schema, dict)
    assert "lifecycle" in schema["properties"]
    assert "lifecycle" in schema["required"]


BAD_KIND = {
    "json": '{"schema_version": 1, "lifecycle": {"name": "l", "initial": "A",\n'
    '  "stages": [{"name": "A", "kind": "sideways"}]}}',
    "toml": 'schema_version = 1\n[lifecycle]\nname = "l"\ninitial = "A"\n'
    '[[lifecycle.stages]]\nname = "A"\nkind = "sideways"\n',
    "yaml": "schema_version: 1\nlifecycle:\n  name: l\n  initial: A\n  stages:\n"
    "    - name: A\n      kind: sideways\n",
}


@pytest.mark.parametrize("fmt", sorted(BAD_KIND))
def test_parse_errors_have_paths_in_every_format(fmt: str) -> None:
    with pytest.raises(leadcore.PlaybookParseError) as e:
        leadcore.Playbook.parse(BAD_KIND[fmt], fmt)
    err = e.value
    assert isinstance(err, leadcore.PlaybookError)
    assert err.code == "playbook.parse"
    assert err.format == fmt
    assert err.path == "lifecycle.stages[0].kind"
    assert isinstance(err.line, int) and err.line >= 1
    assert isinstance(err.column, int) and err.column >= 1
    assert "sideways" in str(err)
    assert err.report["parse"]["path"] == err.path
    assert err.report["parse"]["line"] == err.line
    if fmt != "json":  # the JSON text puts it on line 2; TOML and YAML on line 7
        assert err.line == 7
    else:
        assert err.line == 2


@pytest.mark.parametrize(
    ("fmt", "text"),
    [("json", '{"schema_version": 1,'), ("toml", "schema_version = = 1"), ("yaml", "lifecycle: [")],
)
def test_malformed_text_is_a_parse_error_with_a_position(fmt: str, text: str) -> None:
    with pytest.raises(leadcore.PlaybookParseError) as e:
        leadcore.Playbook.parse(text, fmt)
    assert e.value.format == fmt
    assert e.value.line == 1
    assert e.value.path  # "(root)" or the key being read


INVALID = """
schema_version: 2
lifecycle:
  name: lead
  initial: Nope
  stages:
    - name: New
    - name: Won
      kind: won
  transitions:
    - from: New
      to: Wonn
    - from: New
      to: Won
      guards:
        - {check: field_present, name: has_budget, field: budgett}
"""


def test_a_validation_error_lists_every_problem_with_exact_paths() -> None:
    with pytest.raises(leadcore.PlaybookValidationError) as e:
        leadcore.Playbook.parse(INVALID)
    err = e.value
    assert isinstance(err, leadcore.PlaybookError)
    assert err.code == "playbook.invalid"
    assert [(i["path"], i["code"]) for i in err.errors] == [
        ("schema_version", "playbook.schema_version"),
        ("lifecycle.initial", "pipeline.unknown_initial"),
        ("lifecycle.transitions[0].to", "transition.unknown_stage"),
        ("lifecycle.transitions[1].guards[0].field", "guard.unknown_field"),
    ]
    assert all(set(i) == {"path", "code", "message"} for i in err.errors)
    assert err.report["issues"] == err.errors
    assert "and 3 more" in str(err)


def test_default_playbook_as_toml_loads() -> None:
    # the default playbook, written as TOML by hand from its JSON (None-free), loads back
    spec = json.loads(leadcore.Playbook.default().to_json())
    assert tomllib.loads(_to_toml(spec)) == spec
    assert leadcore.Playbook.parse(_to_toml(spec), "toml").to_json() == leadcore.Playbook.default().to_json()


def _to_toml(value: object) -> str:
    """A tiny TOML writer: every table inline (enough for a playbook)."""

    def inline(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(inline(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{json.dumps(k)} = {inline(x)}" for k, x in v.items()) + "}"
        raise TypeError(type(v))

    assert isinstance(value, dict)
    return "".join(f"{json.dumps(k)} = {inline(v)}\n" for k, v in value.items())
