"""OWL 2 DL reasoning with HermiT (through owlready2), run in a child process with a time limit.

owlready2 starts HermiT as a Java subprocess and waits for it without a time limit, and it keeps its quadstore
in process-wide state. So the whole reasoning step runs in a child Python process of its own
(``python -m kg_service.ontology.reasoner FILE``) in a fresh session: a hang is ended by killing that session's
process group (the child and its Java grandchild) after the time limit, and nothing leaks into the caller's
process. The child loads the N-Triples file into a fresh owlready2 ``World`` (never the default world), runs
HermiT and prints one JSON object on standard output.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from shutil import which
from typing import Literal

from rdflib import OWL, Graph

DEFAULT_TIMEOUT_SECONDS = 300.0
_OWL_NOTHING = str(OWL.Nothing)
_OWL_THING = str(OWL.Thing)
_HIERARCHY_FLAG = "--hierarchy"
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]

ReasonerStatus = Literal["consistent", "inconsistent", "failed", "timeout"]


@dataclass(frozen=True, slots=True)
class ReasonerOutcome:
    """What HermiT said about an ontology.

    ``unsatisfiable_classes`` are class IRIs equivalent to ``owl:Nothing`` (only when ``status`` is
    ``"consistent"``); ``detail`` explains a ``"failed"`` or ``"timeout"`` status.
    """

    status: ReasonerStatus
    unsatisfiable_classes: tuple[str, ...] = ()
    detail: str = ""
    seconds: float = 0.0
    ancestors: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """With ``hierarchy=True``: each named class and all its inferred named super-classes (itself excluded)."""


def java_runtime() -> str | None:
    """Path of the ``java`` executable on ``PATH``, or ``None`` when there is no Java runtime."""
    return which("java")


def run_hermit(
    graph: Graph, *, java: str, timeout: float = DEFAULT_TIMEOUT_SECONDS, hierarchy: bool = False
) -> ReasonerOutcome:
    """Classify ``graph`` with HermiT in a child process that is killed after ``timeout`` seconds.

    With ``hierarchy`` the outcome also lists every class's inferred super-classes (``ancestors``).

    ``owl:imports`` statements are dropped first: the service is offline-first and owlready2 would otherwise
    try to download every imported vocabulary. Raises nothing for reasoning outcomes; an inconsistent
    ontology, a Java error and a timeout are all reported in the returned :class:`ReasonerOutcome`.
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kg-reasoner-") as workdir:
        ontology_file = Path(workdir) / "ontology.nt"
        offline = Graph()
        for triple in graph:
            if triple[1] != OWL.imports:
                offline.add(triple)
        offline.serialize(ontology_file, format="nt", encoding="utf-8")
        env = dict(os.environ)
        env["TMPDIR"] = workdir  # owlready2's own temporary file goes here and is removed with workdir
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PACKAGE_PARENT), env.get("PYTHONPATH", "")) if p)
        command = [sys.executable, "-m", "kg_service.ontology.reasoner", str(ontology_file), java]
        if hierarchy:
            command.append(_HIERARCHY_FLAG)
        with subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so a timeout can end Java as well
        ) as child:
            try:
                stdout, stderr = child.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_process_group(child)
                child.communicate()
                return ReasonerOutcome(
                    "timeout",
                    detail=f"HermiT did not finish within {timeout:g} s",
                    seconds=time.monotonic() - started,
                )
        elapsed = time.monotonic() - started
    return _outcome_from_child(child.returncode, stdout, stderr, elapsed)


def _kill_process_group(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may end between the timeout and the kill
        os.killpg(child.pid, signal.SIGKILL)


def _outcome_from_child(returncode: int, stdout: bytes, stderr: bytes, elapsed: float) -> ReasonerOutcome:
    lines = stdout.decode("utf-8", errors="replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        answer = None
    if returncode != 0 or not isinstance(answer, dict):
        message = stderr.decode("utf-8", errors="replace").strip() or stdout.decode("utf-8", errors="replace")
        return ReasonerOutcome(
            "failed", detail=_last_lines(message) or f"exit status {returncode}", seconds=elapsed
        )
    status = answer.get("status")
    if status == "consistent":
        classes = tuple(sorted(str(iri) for iri in answer.get("unsatisfiable", []) if iri != _OWL_NOTHING))
        found = answer.get("ancestors", {})
        ancestors = tuple(
            (str(cls), tuple(sorted(str(a) for a in supers)))
            for cls, supers in sorted(found.items() if isinstance(found, dict) else [])
        )
        return ReasonerOutcome(
            "consistent", unsatisfiable_classes=classes, seconds=elapsed, ancestors=ancestors
        )
    if status == "inconsistent":
        return ReasonerOutcome("inconsistent", seconds=elapsed)
    return ReasonerOutcome("failed", detail=_last_lines(str(answer.get("detail", ""))), seconds=elapsed)


def _last_lines(text: str, count: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-count:])


def classify_in_this_process(ontology_file: Path, java: str, *, hierarchy: bool = False) -> dict[str, object]:
    """Load ``ontology_file`` (N-Triples) into a fresh owlready2 world and classify it with HermiT.

    This is the child's side of :func:`run_hermit`; call it only in a process of its own. With ``hierarchy``
    the answer also maps each named class to its inferred named super-classes.
    """
    import owlready2

    owlready2.JAVA_EXE = java
    world = owlready2.World()
    world.get_ontology(ontology_file.as_uri()).load(format="ntriples")
    try:
        # Unsupported datatypes (geo:wktLiteral, …) are not OWL 2 datatypes; they are ignored, not errors.
        owlready2.sync_reasoner(
            world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
        )
    except owlready2.OwlReadyInconsistentOntologyError:
        return {"status": "inconsistent"}
    except owlready2.OwlReadyJavaError as exc:
        return {"status": "failed", "detail": str(exc)}
    unsatisfiable = sorted({str(cls.iri) for cls in world.inconsistent_classes()})
    answer: dict[str, object] = {"status": "consistent", "unsatisfiable": unsatisfiable}
    if hierarchy:
        answer["ancestors"] = {
            cls.iri: sorted(
                {a.iri for a in cls.ancestors() if hasattr(a, "iri") and a.iri not in (cls.iri, _OWL_THING)}
            )
            for cls in world.classes()
        }
    return answer


def main(argv: list[str]) -> int:
    """Child entry point: ``python -m kg_service.ontology.reasoner ONTOLOGY.nt JAVA [--hierarchy]``."""
    if len(argv) not in (2, 3) or (len(argv) == 3 and argv[2] != _HIERARCHY_FLAG):
        sys.stderr.write("usage: python -m kg_service.ontology.reasoner ONTOLOGY.nt JAVA [--hierarchy]\n")
        return 2
    answer = classify_in_this_process(Path(argv[0]), argv[1], hierarchy=len(argv) == 3)
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
