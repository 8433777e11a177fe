"""`python -m ops` loads only the command it runs, and every registered name is a real command."""

import subprocess
import sys

import click

from ops.cli import COMMANDS, main


def test_every_registered_command_loads_under_its_name():
    for name in COMMANDS:
        command = main.get_command(None, name)
        assert isinstance(command, click.Command)
        assert command.name == name
    assert main.get_command(None, "no-such-command") is None


def test_running_one_command_imports_no_other_commands_dependencies():
    """The deploy steps must not pay for scikit-learn (the rehearsal) or moto (the local stage)."""
    code = (
        "import sys; from ops.cli import main\n"
        "try:\n    main(['url', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sklearn', 'moto', 'locust') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
