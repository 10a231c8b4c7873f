"""eSpeak NG, offline, in-process through ctypes (libespeak-ng and its data: the espeakng-loader wheel).

The library keeps global state (one voice, one callback, one set of parameters), so every call into it holds
`_LOCK`. Synthesis runs in AUDIO_OUTPUT_SYNCHRONOUS mode with a callback collecting the samples: no sound
device, no playback, far faster than realtime.
"""

from __future__ import annotations

import ctypes
import json
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import espeakng_loader
import numpy as np

from broadcaster.errors import EngineUnavailable, SpeechError
from broadcaster.models import SpeechSettings
from broadcaster.speech.engines._espeak_respell import respell, split_phonemes
from broadcaster.wav import write_wav

__all__ = ["EspeakEngine", "EspeakTuning", "TUNING", "ESPEAK_SAMPLE_RATE", "DEFAULT_RATE_WPM"]

ESPEAK_SAMPLE_RATE = 22050  # what libespeak-ng produces; checked against espeak_Initialize's answer


@dataclass(frozen=True)
class EspeakTuning:
    """How the offline voice is driven, chosen with scripts/bench_intelligibility (docs/speech.md has the
    figures): the rate at speed 1.0, the gap between words (eSpeak's unit: 10 ms), a voice variant ("" or
    "m3", "f2"...), the pauses inserted at sentence ends and commas (milliseconds, 0 = eSpeak's own) and the
    corrections of eSpeak's phonemes the text is respelled with (_espeak_respell.CORRECTIONS)."""

    rate_wpm: int = 175
    word_gap: int = 0
    pitch_range: int = 50  # how far the pitch moves (0-100): the tones of Vietnamese ride on it
    variant: str = ""
    sentence_pause_ms: int = 0
    comma_pause_ms: int = 0
    respell: tuple[str, ...] = ()  # send eSpeak its own phonemes with these corrections (_espeak_respell)


BASELINE = EspeakTuning()  # eSpeak NG's own defaults: what the station used before the benchmark
# the default for the `espeak` engine: slower, a 60 ms gap between words, the widest pitch range (the tones),
# and respelled (_espeak_respell): đ as a plain d, every syllable fully stressed, t as eSpeak's alveolar t, s/x
# as its postalveolar S, d/gi/r as its palatalized Z;; each step's gain is printed by
# scripts/bench_intelligibility (figures in docs/speech.md)
TUNING = EspeakTuning(rate_wpm=130, word_gap=6, pitch_range=100, respell=("d", "stress", "t", "s", "z"))
DEFAULT_RATE_WPM = TUNING.rate_wpm  # SpeechSettings.speed scales it

# espeak_AUDIO_OUTPUT / espeak_PARAMETER / flags from speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_espeakRATE = 1
_espeakVOLUME = 2
_espeakPITCH = 3
_espeakRANGE = 4
_espeakWORDGAP = 7
_espeakSSML = 0x10
_espeakPHONEMES = 0x100  # [[...]] is phoneme input
_espeakCHARS_UTF8 = 1
_POS_CHARACTER = 1
_EE_OK = 0

_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

_LOCK = threading.RLock()  # guards the library's global state and _state below


class _State:
    """The loaded library, shared by every EspeakEngine in the process."""

    lib: ctypes.CDLL | None = None
    sample_rate: int = ESPEAK_SAMPLE_RATE
    callback: object = None  # keep the ctypes callback alive as long as the library may call it
    chunks: list[np.ndarray] = []
    load_error: str | None = None
    current: tuple[str, int, int, int, int] | None = None  # (voice, rate, pitch, word gap, range) last applied


def _collect(wav: ctypes.POINTER(ctypes.c_short), numsamples: int, _events: int) -> int:  # type: ignore[valid-type]
    """Called by libespeak-ng (under _LOCK, from espeak_Synth) with each block of 16-bit samples."""
    if numsamples > 0 and wav:
        _State.chunks.append(np.ctypeslib.as_array(wav, shape=(numsamples,)).copy())
    return 0  # 0 = continue synthesis


def _load() -> ctypes.CDLL:
    """Load and initialize libespeak-ng once; raise EngineUnavailable saying how to fix it."""
    with _LOCK:
        if _State.lib is not None:
            return _State.lib
        if _State.load_error:
            raise EngineUnavailable(_State.load_error)
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data_path = espeakng_loader.get_data_path()
        except Exception as exc:  # noqa: BLE001 - wheel missing, broken or wrong platform
            _State.load_error = (
                f"không nạp được thư viện eSpeak NG ({exc}): chạy lại scripts/setup (cài gói espeakng-loader)"
            )
            raise EngineUnavailable(_State.load_error) from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.restype = ctypes.c_int
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), 0)
        if rate <= 0:
            _State.load_error = (
                f"eSpeak NG không khởi động được với dữ liệu ở {data_path}: cài lại gói espeakng-loader"
            )
            raise EngineUnavailable(_State.load_error)
        _State.sample_rate = rate
        _State.callback = _SynthCallback(_collect)
        lib.espeak_SetSynthCallback(_State.callback)
        _State.lib = lib
        return lib


_SENTENCE_END = re.compile(r"([.!?;:])(?:\s+|$)")
_COMMA = re.compile(r",\s*")


class EspeakEngine:
    """Offline Vietnamese voice: robotic but always there, so the station never goes silent."""

    name = "espeak"

    def __init__(self, settings: SpeechSettings, tuning: EspeakTuning = TUNING):
        self.tuning = tuning
        self.voice = settings.voice or "vi"
        self._voice_name = f"{self.voice}+{tuning.variant}" if tuning.variant and "+" not in self.voice else self.voice
        self.rate = max(80, min(450, round(tuning.rate_wpm * settings.speed)))
        self.pitch = max(0, min(99, int(settings.pitch)))

    def settings_key(self) -> str:
        """What besides voice and text changes the audio: rate, pitch and the tuning."""
        key = {"rate": self.rate, "pitch": self.pitch, "sample_rate": ESPEAK_SAMPLE_RATE}
        if self.tuning != BASELINE:  # renders made before the tuning keep their keys
            key["tuning"] = asdict(self.tuning)
        return json.dumps(key, sort_keys=True)

    def check(self) -> None:
        """Load the library and select the voice; raise EngineUnavailable saying how to fix it."""
        with _LOCK:
            self._apply(_load())

    def _apply(self, lib: ctypes.CDLL) -> None:
        wanted = (self._voice_name, self.rate, self.pitch, self.tuning.word_gap, self.tuning.pitch_range)
        if _State.current == wanted:
            return
        if lib.espeak_SetVoiceByName(self._voice_name.encode()) != _EE_OK:
            _State.current = None
            raise EngineUnavailable(
                f"eSpeak NG không có giọng '{self.voice}': sửa speech.voice trong station.yaml "
                "(giọng tiếng Việt: vi, vi-VN-x-central, vi-VN-x-south)"
            )
        lib.espeak_SetParameter(_espeakRATE, self.rate, 0)
        lib.espeak_SetParameter(_espeakPITCH, self.pitch, 0)
        lib.espeak_SetParameter(_espeakVOLUME, 100, 0)
        lib.espeak_SetParameter(_espeakWORDGAP, self.tuning.word_gap, 0)
        lib.espeak_SetParameter(_espeakRANGE, self.tuning.pitch_range, 0)
        _State.current = wanted

    def _markup(self, text: str) -> tuple[bytes, int]:
        """The text as sent to eSpeak: plain, or SSML with the tuning's pauses at sentence ends and commas
        (only between phoneme-input pieces, never inside them)."""
        t = self.tuning
        plain = _espeakCHARS_UTF8 | (_espeakPHONEMES if t.respell else 0)
        if not (t.sentence_pause_ms or t.comma_pause_ms):
            return text.encode("utf-8"), plain
        pieces = []
        for is_phonemes, piece in split_phonemes(text):
            if not is_phonemes:
                piece = piece.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                if t.sentence_pause_ms:
                    piece = _SENTENCE_END.sub(lambda m: f'{m.group(1)}<break time="{t.sentence_pause_ms}ms"/> ', piece)
                if t.comma_pause_ms:
                    piece = _COMMA.sub(f',<break time="{t.comma_pause_ms}ms"/> ', piece)
            pieces.append(piece)
        return f"<speak>{''.join(pieces)}</speak>".encode(), plain | _espeakSSML

    def synthesize_samples(self, text: str) -> np.ndarray:
        """Speak `text` into int16 samples at the library's rate (22050 Hz)."""
        if not text.strip():
            raise SpeechError("không có chữ nào để đọc")
        with _LOCK:
            lib = _load()
            self._apply(lib)
            spoken = respell(lib, text.strip(), self.tuning.respell) if self.tuning.respell else text.strip()
            data, flags = self._markup(spoken)
            buf = ctypes.create_string_buffer(data)  # NUL-terminated copy the library reads
            _State.chunks = []
            err = lib.espeak_Synth(buf, len(data) + 1, 0, _POS_CHARACTER, 0, flags, None, None)
            lib.espeak_Synchronize()
            chunks, _State.chunks = _State.chunks, []
        if err != _EE_OK:
            raise SpeechError(f"eSpeak NG không đọc được đoạn văn (mã lỗi {err})")
        if not chunks:
            raise SpeechError("eSpeak NG không tạo ra âm thanh nào cho đoạn văn này")
        return np.concatenate(chunks)

    def synthesize(self, text: str, out_path: Path) -> None:
        """Write `text` as a mono 16-bit WAV at 22050 Hz."""
        write_wav(out_path, self.synthesize_samples(text), _State.sample_rate)

