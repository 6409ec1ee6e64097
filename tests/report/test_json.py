"""The JSON digest: stable keys another tool can rely on."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

import monitor.report
from monitor.models import DigestInput
from monitor.report import build_digest, render_json

from .conftest import HOSTILE_TITLE, STRONGEST_P4, WeekBuilder

TOP_LEVEL = {
    "schema",
    "week",
    "start",
    "end",
    "generated_at",
    "summary",
    "glance",
    "pieces",
    "trends",
    "totals",
    "camps",
    "sources",
    "stance_table",
    "positions",
    "framing",
    "crawl",
    "method",
    "positions_versions",
    "calls",
    "weak_below",
    "corrections",
    "stories",
    "wire_flows",
    "story_table",
}


def test_keys_are_the_documented_ones_and_it_round_trips(week: DigestInput) -> None:
    doc = render_json(build_digest(week))
    assert set(doc) == TOP_LEVEL
    assert doc["schema"] == "monitor.digest/1"
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc
    assert doc["start"] == "2024-10-28T00:00:00+00:00" and doc["week"] == "2024-W44"


def test_numbers_match_the_week(week: DigestInput) -> None:
    doc = render_json(build_digest(week))
    assert doc["totals"] == {
        "articles": 10,
        "previous_articles": 6,
        "outlets": 8,
        "not_compared": 1,
        "stories": 10,  # no piece of the week is grouped: each counts as its own story
    }
    west = next(r for r in doc["stance_table"] if r["camp"] == "west")
    no_doubt = {"weak": 0, "corrected": 0}
    assert west["positions"]["P4"] == {"echo": 0, "contest": 3, "mixed": 0, **no_doubt}
    p4 = next(p for p in doc["positions"] if p["id"] == "P4")
    assert p4["by_camp"]["ru"] == {"echo": 2, "contest": 0, "mixed": 0, **no_doubt}
    assert p4["strongest"][0]["evidence"][0]["sentence"] == STRONGEST_P4
    assert [p["addressed"] for p in doc["positions"]].count(False) == 3
    framing = next(f for f in doc["framing"] if f["camp"] == "west")
    assert framing["troop_counts"] == {"pieces": 3, "min": 10000, "median": 11000.0, "max": 12000}


def test_hostile_text_is_kept_verbatim_and_flagged_unlinkable(week: DigestInput) -> None:
    doc = render_json(build_digest(week))
    p3 = next(p for p in doc["positions"] if p["id"] == "P3")
    hostile = next(s for s in p3["strongest"] if s["title"] == HOSTILE_TITLE)
    assert hostile["url"] == "javascript:alert(1)" and hostile["linkable"] is False


def test_an_empty_week_is_valid_json(builder: WeekBuilder) -> None:
    doc = render_json(build_digest(builder.build()))
    assert doc["totals"]["articles"] == 0 and len(doc["positions"]) == 10
    json.dumps(doc)


SCHEMA_FILE = Path(monitor.report.__file__).with_name("digest.schema.json")


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_the_digest_json_follows_its_published_schema(
    builder: WeekBuilder, week: DigestInput
) -> None:
    builder.correct(1, "P4", "contest", note="the doubt is the reporter's")
    builder.weaken(5, "P4", 0.41)
    validator = _validator()
    for data in (week, builder.build(), builder.build(articles=(), stances={}, framings={})):
        doc = json.loads(json.dumps(render_json(build_digest(data))))
        errors = sorted(validator.iter_errors(doc), key=str)
        assert errors == [], errors[0].message if errors else ""
    assert doc["schema"] == validator.schema["properties"]["schema"]["const"]


def test_the_schema_catches_a_digest_that_breaks_the_contract(week: DigestInput) -> None:
    doc = json.loads(json.dumps(render_json(build_digest(week))))
    doc["pieces"][0]["stances"]["P4"]["stance"] = "agree"
    del doc["glance"]
    messages = {e.message for e in _validator().iter_errors(doc)}
    assert "'glance' is a required property" in messages
    assert any("'agree'" in m for m in messages)
