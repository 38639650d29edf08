"""Key scheme (SPEC D1): normalised arguments, permission levels, scopes."""

from __future__ import annotations

from datetime import date

import pytest

from promptsales.cache import keys
from promptsales.cache.keys import Scope, parse_scope
from promptsales.errors import UserError


def test_equal_questions_asked_differently_share_a_digest():
    a = keys.args_digest({"question": "  top   campaigns\tin December ", "limit": 5.0, "channels": {"email", "sms"}})
    b = keys.args_digest({"limit": 5, "channels": ["email", "sms"], "question": "top campaigns in December"})
    assert a == b
    assert a != keys.args_digest({"question": "top campaigns in January", "limit": 5, "channels": ["email", "sms"]})
    assert len(a) == 32


def test_dates_and_nested_mappings_normalise():
    assert keys.normalise({"b": [date(2025, 12, 1)], "a": {"y": 1, "x": " q "}}) == {
        "a": {"x": "q", "y": 1},
        "b": ["2025-12-01"],
    }
    with pytest.raises(TypeError):
        keys.normalise(object())


def test_permission_level_only_counts_scopes_that_change_the_answer():
    assert keys.permission_level({"crm:read", "crm:pii"}, ("crm:pii",)) == "crm.pii"
    assert keys.permission_level({"crm:read"}, ("crm:pii",)) == "base"
    assert keys.permission_level({"crm:pii"}, ()) == "base"


def test_entry_key_layout():
    key = keys.entry_key("crm", "pii", "client360", [3, 1764201600123456], "crm.pii", "ab" * 16)
    assert key == "ps:crm:pii:client360:v3.hdcv0ydlxc:crm.pii:" + "ab" * 16
    assert keys.lock_key(key) == "ps:lock:crm:pii:client360:v3.hdcv0ydlxc:crm.pii:" + "ab" * 16
    assert int("hdcv0ydlxc", 36) == 1764201600123456


def test_scopes_and_their_counters():
    entity = Scope("ads", "campaign", 42)
    assert entity.counter_key == "ps:gen:ads:campaign:42"
    assert entity.with_parents() == [entity, Scope("ads", "campaign"), Scope("ads", "_any")]
    assert Scope("ads", "campaign").with_parents() == [Scope("ads", "campaign"), Scope("ads", "_any")]
    assert Scope("ads").with_parents() == [Scope("ads")]
    assert Scope("sales").counter_key == "ps:gen:sales"
    assert parse_scope("ads/campaign/42") == entity
    with pytest.raises(UserError, match="Unknown company"):
        Scope("payroll")
    with pytest.raises(UserError, match="needs its collection"):
        Scope("ads", None, 3)
    with pytest.raises(UserError, match="may only contain"):
        Scope("ads", "campaign", "1:2")
    with pytest.raises(UserError, match="Bad cache scope"):
        parse_scope("ads/a/b/c")


def test_flush_never_touches_generation_counters():
    import fnmatch

    for pattern in keys.FLUSH_PATTERNS:
        assert not fnmatch.fnmatch("ps:gen:ads:campaign:1", pattern)
        assert not fnmatch.fnmatch("ps:rl:mcp:client", pattern)
    assert any(fnmatch.fnmatch("ps:ads:tool:x:v1:base:abc", p) for p in keys.FLUSH_PATTERNS)
