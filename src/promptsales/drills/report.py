"""What a drill measured, and the median and maximum over several runs."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field

#: The timings every drill reports, in the order they are printed.
TIMINGS: tuple[tuple[str, str], ...] = (
    ("new_leader_s", "new leader"),
    ("first_write_s", "first write"),
    ("first_mcp_s", "first MCP call"),
    ("rejoin_s", "old node rejoined"),
)


@dataclass
class DrillReport:
    """One drill run. Times are seconds after the fault; ``None``: it did not happen within the drill's limit.

    ``acknowledged``: writes the engine acknowledged during the run; ``lost``: those the new leader does not
    have (must be 0). ``write_errors`` and ``mcp_errors``: failed attempts the clients saw (retried).
    """

    drill: str
    fault: str
    old_leader: str | None = None
    new_leader: str | None = None
    new_leader_s: float | None = None
    first_write_s: float | None = None
    first_mcp_s: float | None = None
    rejoin_s: float | None = None
    acknowledged: int = 0
    lost: int = 0
    write_errors: int = 0
    mcp_calls: int = 0
    mcp_errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """A leader took over, writes and MCP calls succeeded again, nothing acknowledged was lost."""
        return (
            self.new_leader_s is not None
            and self.first_write_s is not None
            and self.first_mcp_s is not None
            and self.lost == 0
            and self.acknowledged > 0
            and not self.details.get("two_writers", False)
        )

    def as_dict(self) -> dict:
        """JSON-ready, with ``passed``."""
        return {**asdict(self), "passed": self.passed}


def summarise(reports: list[DrillReport]) -> dict[str, dict[str, float | None]]:
    """Median and maximum of each timing over ``reports`` (runs where it did not happen are left out)."""
    summary: dict[str, dict[str, float | None]] = {}
    for key, _ in TIMINGS:
        values = [getattr(report, key) for report in reports if getattr(report, key) is not None]
        summary[key] = {
            "median": round(statistics.median(values), 2) if values else None,
            "max": round(max(values), 2) if values else None,
            "runs": len(values),
        }
    summary["lost"] = {"total": sum(report.lost for report in reports)}
    return summary


def describe(report: DrillReport) -> list[tuple[str, str]]:
    """(label, value) lines for people."""

    def seconds(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f} s"

    lines = [("fault", report.fault), ("leader", f"{report.old_leader} → {report.new_leader}")]
    lines += [(label, seconds(getattr(report, key))) for key, label in TIMINGS]
    lines += [
        ("acknowledged writes", str(report.acknowledged)),
        ("acknowledged writes lost", str(report.lost)),
        ("client errors", f"{report.write_errors} write, {report.mcp_errors} of {report.mcp_calls} MCP calls"),
    ]
    lines += [(key.replace("_", " "), str(value)) for key, value in report.details.items()]
    lines += [("error seen", sample) for sample in report.error_samples]
    lines.append(("passed", "yes" if report.passed else "NO"))
    return lines
