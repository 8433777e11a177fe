"""The table printed at the end of a rehearsal (and saved as JSON next to the step logs)."""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class StageResult:
    stage: str
    sha: str = "-"
    model: str = "-"
    smoke: str = "-"
    load: str = "-"
    rollback: str = "-"
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


COLUMNS = ("stage", "SHA", "model", "smoke", "load verdict", "rollback", "duration")


def table(results: list[StageResult]) -> str:
    rows = [
        (r.stage, r.sha[:12], r.model, r.smoke, r.load, r.rollback, f"{r.seconds:.0f}s")
        for r in results
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(COLUMNS, *rows, strict=True)]
    lines = [
        "  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip()
        for row in (COLUMNS, *rows)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def save(path: Path, results: list[StageResult], extra: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"stages": [asdict(r) for r in results], **extra}
    path.write_text(json.dumps(document, indent=2) + "\n")
