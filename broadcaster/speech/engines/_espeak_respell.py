"""Respelling for eSpeak NG: the text is turned into eSpeak's own phonemes (espeak_TextToPhonemes, with the
Vietnamese voice's rules), a few systematic corrections are applied, and the result is sent back as phoneme
input (`[[...]]`, with espeakPHONEMES), clause by clause, the punctuation kept outside so eSpeak still pauses
and shapes intonation at it.

This does what a private dictionary compiled with `espeak-ng --compile=vi` would do for these corrections,
without eSpeak's Vietnamese rule sources (the wheel ships only the compiled `vi_dict`, and the sources are
GPL-3.0, which an Apache-2.0 package should not carry). Which corrections, and what each bought, is measured
by scripts/bench_intelligibility (docs/speech.md).
"""

from __future__ import annotations

import ctypes
import re

__all__ = ["CORRECTIONS", "respell", "split_phonemes"]

# name -> (what eSpeak's vi rules give, what we send instead), a regular expression over each word's phoneme
# mnemonics and its replacement; EspeakTuning.respell names the ones applied, in this order
CORRECTIONS: dict[str, tuple[str, str]] = {
    # đ: eSpeak's implosive d_ is heard as b/v ("độ" as "bộ", "đến" as "bên"); a plain d less so
    "d": (r"d_", "d"),
    # secondary stress on function words ("được", "không", "các", "con"): Vietnamese gives every syllable its
    # full length and tone, so every word gets eSpeak's primary stress
    "stress": (r",", "'"),
    # t: eSpeak's dental t[ is heard as c/k ("tư" as "cư", "tại" as "cái"); its alveolar t (which it also
    # gives th) less so
    "t": (r"t\[", "t"),
    # s and x (both [s] in the North): eSpeak's s is too faint for the ear ("xã" heard as "á", "sáu"
    # dropped); its postalveolar S carries more energy lower down and is heard as s/x
    "s": (r"s(?![.;])", "S"),
    # d, gi and r (all [z] in the North): eSpeak's z is heard as l/đ/m/v or not at all ("dân" dropped or
    # heard as "lo", "giờ" as "vợ"); its palatalized postalveolar Z; is heard as d/gi/r
    "z": (r"z(?![.;])", "Z;"),
}
_COMPILED = {name: (re.compile(wrong), right) for name, (wrong, right) in CORRECTIONS.items()}

_CLAUSE = re.compile(r"([^.,;:!?]+)([.,;:!?]*\s*)")
_PHONEMES = re.compile(r"(\[\[.*?\]\])")
_SWITCH = re.compile(r"\([a-z-]+\)")  # a language switch marker such as "(en)": not a phoneme


def _phonemes(lib: ctypes.CDLL, clause: str) -> list[str]:
    """eSpeak's phoneme mnemonics for `clause`, one string per word (the library's voice must be set)."""
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
    buf = ctypes.c_char_p(clause.encode("utf-8"))
    ptr = ctypes.pointer(buf)
    words: list[str] = []
    while ptr.contents.value:
        out = lib.espeak_TextToPhonemes(ptr, 1, 0)  # 1 = UTF-8 text, 0 = mnemonics
        words += _SWITCH.sub("", (out or b"").decode("utf-8", "replace")).split()
    return words


def _correct(word: str, names: tuple[str, ...]) -> str:
    for name, (wrong, right) in _COMPILED.items():
        if name in names:
            word = wrong.sub(right, word)
    return word


def respell(lib: ctypes.CDLL, text: str, names: tuple[str, ...]) -> str:
    """`text` as eSpeak phoneme input with the named CORRECTIONS applied; punctuation stays as text between
    clauses. Unknown names are an error (a typo must not silently turn a correction off)."""
    unknown = set(names) - set(CORRECTIONS)
    if unknown:
        raise ValueError(f"unknown eSpeak corrections: {sorted(unknown)}")
    out: list[str] = []
    for match in _CLAUSE.finditer(text):
        body, punct = match.group(1), match.group(2)
        words = [_correct(w, names) for w in _phonemes(lib, body.strip())] if body.strip() else []
        if words:
            out.append("[[" + " ".join(words) + "]]")
        out.append(punct if punct.strip() else " ")
    return "".join(out).strip()


def split_phonemes(text: str) -> list[tuple[bool, str]]:
    """(is phoneme input, piece) pieces of respelled text, so markup touches only the text between them."""
    return [(piece.startswith("[["), piece) for piece in _PHONEMES.split(text) if piece]
