"""What every normalizer rule gets besides its match: the dictionary, the regional number words and, when the
officer asked for an explanation, a trace of which rule or dictionary entry produced each part.

`sub(c, rule, pattern, fn, text)` is how a rule is applied: without a trace it is a plain `pattern.sub`; with
one, every replacement that changed something is recorded as a `Step` with the dictionary entries it used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from broadcaster.speech._dictionary import Dictionary
from broadcaster.speech._numbers import Reading

__all__ = ["Ctx", "Step", "sub"]


@dataclass(frozen=True)
class Step:
    """One replacement: `written` (as the rule saw it) became `spoken` by `rule`, using dictionary `entries`
    ("abbreviations.UBND", "context.TT", "units.kg"...)."""

    rule: str
    written: str
    spoken: str
    entries: tuple[str, ...] = ()


@dataclass
class Ctx:
    d: Dictionary
    r: Reading
    trace: list[Step] | None = None
    used: list[str] = field(default_factory=list)

    def use(self, section: str, key: str) -> None:
        """Note that the replacement being made reads `section.key` from the dictionary (for explanations)."""
        if self.trace is not None:
            self.used.append(f"{section}.{key}")


Rule = Callable[[re.Match[str], Ctx], str]


def sub(c: Ctx, rule: str, pattern: re.Pattern[str], fn: Rule, text: str) -> str:
    """`pattern.sub` with the rule's callback; records each change when `c.trace` is set."""
    if c.trace is None:
        return pattern.sub(lambda m: fn(m, c), text)
    trace = c.trace

    def traced(m: re.Match[str]) -> str:
        c.used = []
        out = fn(m, c)
        if out != m.group(0):
            trace.append(Step(rule, m.group(0), out, tuple(dict.fromkeys(c.used))))
        return out

    return pattern.sub(traced, text)
