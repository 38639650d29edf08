"""Helpers of the deployment tests: pick resources out of a rendered overlay."""

from __future__ import annotations

from typing import Any


def of_kind(resources: list[dict[str, Any]], *kinds: str) -> list[dict[str, Any]]:
    """The resources of the given kinds."""
    return [doc for doc in resources if doc["kind"] in kinds]


def by_name(resources: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """Name → resource, for one kind."""
    return {doc["metadata"]["name"]: doc for doc in of_kind(resources, kind)}


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a Deployment, StatefulSet or Job."""
    return workload["spec"]["template"]["spec"]


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    """The labels of a workload's pods."""
    return workload["spec"]["template"]["metadata"]["labels"]
