"""Changes as a list of (description, step), so `--dry-run` prints exactly what a run would do."""

from collections.abc import Callable
from dataclasses import dataclass, field

import click


@dataclass
class Actions:
    steps: list[tuple[str, Callable[[], object] | None]] = field(default_factory=list)

    def add(self, description: str, step: Callable[[], object] | None = None) -> None:
        self.steps.append((description, step))

    def apply(self, dry_run: bool) -> list[str]:
        """Run each step (unless dry_run) and echo it; return the descriptions."""
        for description, step in self.steps:
            if dry_run:
                click.echo(f"[dry-run] would {description}")
                continue
            if step is not None:
                step()
            click.echo(f"done: {description}")
        return [description for description, _ in self.steps]
