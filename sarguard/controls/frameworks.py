"""Framework mappings: which requirement of NIST SP 800-53, ISO/IEC 27001 or CIS Controls a
control helps to meet, and why.

These are sarguard's own mappings. No framework publishes one for Okta's suspicious activity
reporting, so each entry is a judgement with a one-line rationale, written once in the control's
module (``FRAMEWORKS``) and carried by its :class:`~sarguard.controls.base.Control`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sarguard.controls.base import Control

# Framework key -> its full name. The keys are the `--framework` choices, the JSON `framework`
# values and the prefix of SARIF tags (`nist-800-53/IR-6(1)`): a public contract.
FRAMEWORK_NAMES: dict[str, str] = {
    "nist-800-53": "NIST SP 800-53 Rev. 5",
    "iso-27001": "ISO/IEC 27001:2022 Annex A",
    "cis-v8": "CIS Controls v8",
}
MAPPING_SOURCE = "sarguard"
MAPPING_NOTE = ("sarguard's own mapping: no framework publishes one for Okta's suspicious activity "
                "reporting")


@dataclass(frozen=True)
class FrameworkRef:
    """One requirement of one framework that a control supports."""

    framework: str  # a key of FRAMEWORK_NAMES
    requirement: str  # as the framework writes it: "IR-6(1)", "A.6.8", "17.3"
    rationale: str  # one line: why the control supports it

    @property
    def tag(self) -> str:
        """``nist-800-53/IR-6(1)``: the SARIF tag and the unique key of the reference."""
        return f"{self.framework}/{self.requirement}"


def nist(requirement: str, rationale: str) -> FrameworkRef:
    return FrameworkRef("nist-800-53", requirement, rationale)


def iso(requirement: str, rationale: str) -> FrameworkRef:
    return FrameworkRef("iso-27001", requirement, rationale)


def cis(requirement: str, rationale: str) -> FrameworkRef:
    return FrameworkRef("cis-v8", requirement, rationale)


def oscal_control_id(requirement: str) -> str:
    """NIST's OSCAL catalog id of an 800-53 requirement: ``IR-6(1)`` -> ``ir-6.1``."""
    base, _, enhancement = requirement.partition("(")
    out = base.strip().lower()
    return f"{out}.{enhancement.rstrip(')').strip()}" if enhancement else out


def requirement_sort_key(requirement: str) -> tuple:
    """``IR-6`` < ``IR-6(1)`` < ``IR-10``; ``A.5.24`` < ``A.5.25`` < ``A.8.16``; ``8.11`` < ``17.2``."""
    parts: list[tuple[int, object]] = []
    token = ""
    for char in requirement + ".":
        if char.isalnum():
            token += char
            continue
        if token:
            parts.append((0, int(token)) if token.isdigit() else (1, token))
            token = ""
    return tuple(parts)


def refs_of(table: Mapping[str, Mapping[str, str]]) -> tuple[FrameworkRef, ...]:
    """A module's ``FRAMEWORKS`` table (framework -> requirement -> rationale) as references,
    checked: an unknown framework key or an empty rationale is a programming error."""
    out: list[FrameworkRef] = []
    for framework, requirements in table.items():
        if framework not in FRAMEWORK_NAMES:
            raise ValueError(f"unknown framework {framework!r}; known: {', '.join(FRAMEWORK_NAMES)}")
        for requirement, rationale in requirements.items():
            if not rationale.strip():
                raise ValueError(f"{framework}/{requirement}: a mapping needs a rationale")
            out.append(FrameworkRef(framework, requirement, rationale))
    return tuple(out)


def with_frameworks(controls: list[Control], modules: Iterable[ModuleType]) -> list[Control]:
    """``controls`` with each control module's ``FRAMEWORKS`` attached (matched by ``ID``)."""
    tables = {getattr(m, "ID", None): getattr(m, "FRAMEWORKS", {}) for m in modules}
    return [replace(c, frameworks=refs_of(tables[c.id])) if tables.get(c.id) else c
            for c in controls]


def by_requirement(controls: Iterable[Control], framework: str) -> list[tuple[str, list[tuple[Control, FrameworkRef]]]]:
    """``[(requirement, [(control, ref)])]`` of one framework, requirements in the framework's
    order: which controls support each requirement."""
    table: dict[str, list[tuple[Control, FrameworkRef]]] = {}
    for control in controls:
        for ref in control.frameworks:
            if ref.framework == framework:
                table.setdefault(ref.requirement, []).append((control, ref))
    return [(req, table[req]) for req in sorted(table, key=requirement_sort_key)]
