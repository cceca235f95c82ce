"""One name per concept: the Python objects that hold a verdict use the Verdict model's field
names, and a name they replaced still works, with a DeprecationWarning."""

from __future__ import annotations

from dataclasses import fields

import pytest
from conftest import EXAMPLE_FACTS

from kb.model.models import Verdict
from kb.model.rules import RuleVerdict, classify


def test_a_rules_answer_names_its_fields_as_a_verdict_does() -> None:
    assert {f.name for f in fields(RuleVerdict)} <= set(Verdict.model_fields)


def test_the_old_name_of_the_rationale_still_works_with_a_warning() -> None:
    from kb.model.schema_table import Facts

    answer = classify(Facts.from_mapping(EXAMPLE_FACTS))["objective-focused"]
    with pytest.warns(DeprecationWarning, match="rationale"):
        assert answer.reasoning == answer.rationale
