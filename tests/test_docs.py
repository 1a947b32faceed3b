"""Docs stay true: README commands, CLI reference, study-file keys."""

from __future__ import annotations

import re

from conftest import REPO

from eventstudy.cli import cli_reference


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one():
    commands = _readme_commands()
    assert len(commands) == 2
    main_job, tests = commands
    assert "eventstudy run seeds/stargate.toml --prices ../shared/data/prices" in main_job
    assert "pytest" in tests
    ci = (REPO / ".ci" / "run").read_text()
    assert tests in ci.splitlines()


def test_cli_reference_in_sync():
    assert (REPO / "docs" / "cli.md").read_text() == cli_reference(), (
        "regenerate: python -c \"from eventstudy.cli import cli_reference; print(cli_reference(), end='')\" "
        "> docs/cli.md"
    )


def test_study_file_reference_lists_every_key_of_the_seed():
    import tomllib

    doc = tomllib.loads((REPO / "seeds" / "stargate.toml").read_text())
    ref = (REPO / "docs" / "study-file.md").read_text()
    keys = set(doc["study"])
    for table in ("securities", "events", "claims"):
        for entry in doc[table]:
            keys |= set(entry)
    missing = [k for k in sorted(keys) if f"`{k}`" not in ref]
    assert not missing
