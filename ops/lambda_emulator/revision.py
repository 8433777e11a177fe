"""What one execution environment starts from: the function's code and configuration."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Revision:
    """What one execution environment is started from; `key` changes when any of it does."""

    function_name: str
    function_arn: str
    version: str
    code_sha256: str
    handler: str
    runtime: str
    environment: dict
    memory_mb: int
    timeout_s: int
    root: Path
    key: str

    @property
    def short(self) -> str:
        return self.key[:12]
