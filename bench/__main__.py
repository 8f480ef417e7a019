"""List the benchmarks (``python -m bench``)."""

from __future__ import annotations

import pkgutil
from pathlib import Path


def main() -> None:
    """Print the benchmark modules with the first line of their docstrings."""
    here = Path(__file__).parent
    for module in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        text = (here / f"{module.name}.py").read_text(encoding="utf-8")
        first = text.split('"""')[1].strip().splitlines()[0] if '"""' in text else ""
        print(f"python -m bench.{module.name:<28} {first}")


if __name__ == "__main__":
    main()
