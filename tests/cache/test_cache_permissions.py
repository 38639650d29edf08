"""Permission levels in keys (issue 10 acceptance 6): a cached client360 answer for a caller with
``crm:pii`` is never served to a caller without it, and vice versa."""

from __future__ import annotations

from promptsales.cache import Scope, acting_as, cached, current_caller


def test_pii_answer_is_never_served_to_a_caller_without_the_scope(cache, unique):
    computed = []

    @cached(
        "crm",
        f"client360_{unique}",
        kind="pii",
        permission_scopes=("crm:pii",),
        depends=lambda a: [Scope("crm", "client", a["client_id"])],
        cache=lambda: cache,
    )
    def client360(client_id: int) -> dict:
        caller = current_caller()
        computed.append(caller.actor)
        answer = {"client_id": client_id, "name": "Client 7"}
        if "crm:pii" in caller.scopes:
            answer["national_id"] = "1-2345-6789"
        return answer

    with acting_as("analyst-app", {"crm:read", "crm:pii"}):
        assert client360(7)["national_id"] == "1-2345-6789"
        assert client360(7)["national_id"] == "1-2345-6789"
    with acting_as("marketing-bot", {"crm:read"}):
        plain = client360(7)
        assert "national_id" not in plain
        assert "national_id" not in client360(7)
    with acting_as("other-pii-app", {"crm:pii", "crm:read", "ads:read"}):
        assert client360(7)["national_id"] == "1-2345-6789"  # same permission level: shared entry
    with acting_as("nobody"):
        assert "national_id" not in client360(7)
    assert computed == ["analyst-app", "marketing-bot"]

    keys = {k.decode() for k in cache.connection.client.scan_iter(match=f"ps:crm:pii:client360_{unique}:*")}
    assert {key.split(":")[5] for key in keys} == {"crm.pii", "base"}
    ttl = cache.connection.client.ttl(next(iter(keys)))
    assert 0 < ttl <= 60  # PII answers live one minute at most
