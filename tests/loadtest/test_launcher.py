"""The Locust command line: the outputs the gate needs, and Locust's distributed mode options."""

from pathlib import Path

import pytest

from loadtest.errors import LoadTestError
from loadtest.launcher import Distribution, locust_command


def test_the_command_writes_full_history_csv_and_html():
    command = locust_command("http://127.0.0.1:1", Path("/r"), Distribution())
    joined = " ".join(command)
    assert "--headless" in command
    assert "--csv-full-history" in command
    assert "--csv /r/locust " in joined
    assert "--html /r/locust.html" in joined
    assert "--exit-code-on-error 0" in joined  # the gate, not Locust, judges failures
    assert "--processes" not in command
    assert "--master" not in command


@pytest.mark.parametrize(
    ("distribution", "options"),
    [
        (Distribution(processes=4), ["--processes", "4"]),
        (Distribution(processes=-1), ["--processes", "-1"]),
        (
            Distribution(expect_workers=3),
            ["--master", "--expect-workers", "3", "--expect-workers-max-wait", "60"],
        ),
    ],
)
def test_distributed_mode_options(distribution, options):
    assert distribution.options() == options


def test_processes_and_remote_workers_exclude_each_other():
    with pytest.raises(LoadTestError, match="not both"):
        Distribution(processes=2, expect_workers=2).options()
