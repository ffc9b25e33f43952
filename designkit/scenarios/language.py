"""Language-learner sessions: short utterances in one language, some switching to another mid-utterance.

Voices are espeak-ng's en / es / fr / de at varied rate and pitch (one speaker per session). The
cue truth of a switching utterance is the onset of its first word in the other language,
measured on the rendered audio; control utterances never switch. Deterministic from the seed.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError

LANGUAGES = ("en", "es", "fr", "de")
_VOICES = {"en": "en-us", "es": "es", "fr": "fr", "de": "de"}
PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("I would like to order a coffee please", "where is the train station", "my brother lives in a big city",
           "we went to the beach last summer", "can you help me with my homework", "the weather is very nice today",
           "I usually get up at seven in the morning", "she is reading a book in the garden"),
    "es": ("quiero pedir un café con leche", "dónde está la estación de tren", "mi hermano vive en una ciudad grande",
           "fuimos a la playa el verano pasado", "puedes ayudarme con mis deberes", "hoy hace muy buen tiempo",
           "normalmente me levanto a las siete", "ella está leyendo un libro en el jardín"),
    "fr": ("je voudrais commander un café au lait", "où se trouve la gare s'il vous plaît",
           "mon frère habite dans une grande ville", "nous sommes allés à la plage l'été dernier",
           "peux-tu m'aider avec mes devoirs", "il fait très beau aujourd'hui",
           "d'habitude je me lève à sept heures", "elle lit un livre dans le jardin"),
    "de": ("ich möchte bitte einen Kaffee bestellen", "wo ist der Bahnhof bitte", "mein Bruder wohnt in einer großen Stadt",
           "wir waren letzten Sommer am Strand", "kannst du mir bei den Hausaufgaben helfen", "heute ist das Wetter sehr schön",
           "normalerweise stehe ich um sieben Uhr auf", "sie liest ein Buch im Garten"),
}


def _require_espeak() -> str:
    found = shutil.which("espeak-ng")
    if found is None:
        raise InputError("espeak-ng", expected="the espeak-ng program on PATH", got="not found",
                         fix="install it: apt-get install espeak-ng (make setup does this)")
    return found


@lru_cache(maxsize=512)
def _say_cached(text: str, lang: str, rate: int, pitch: int) -> bytes:
    wav = subprocess.run([_require_espeak(), "-v", _VOICES[lang], "-s", str(rate), "-p", str(pitch), "--stdout", text],
                         capture_output=True, check=True).stdout
    import soundfile as sf
    from scipy.signal import resample_poly

    samples, rate_in = sf.read(io.BytesIO(wav), dtype="float32")
    audio = resample_poly(samples, SAMPLE_RATE, rate_in).astype(np.float32)
    return _trim(audio).tobytes()


def say(text: str, lang: str, *, rate: int = 160, pitch: int = 50) -> npt.NDArray[np.float32]:
    """espeak-ng speech at 16 kHz, trimmed to the first and last loud sample."""
    if lang not in _VOICES:
        raise InputError("language", expected=f"one of {list(_VOICES)}", got=repr(lang))
    return np.frombuffer(_say_cached(text, lang, rate, pitch), dtype=np.float32).copy()


def _trim(audio: npt.NDArray[np.float32], level: float = 0.01) -> npt.NDArray[np.float32]:
    loud = np.flatnonzero(np.abs(audio) > level)
    if loud.size == 0:
        return audio[:0]
    return audio[loud[0] : loud[-1] + 1]


def _words(text: str, rng: np.random.Generator, low: int, high: int) -> str:
    words = text.split()
    n = int(rng.integers(low, high + 1))
    return " ".join(words[: max(1, min(n, len(words)))])


@dataclass(frozen=True, slots=True)
class Utterance:
    """One utterance of the session: where it is, its languages, and the switch time if any."""

    start: float
    end: float
    first: str
    second: str | None
    switch_t: float | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "first": self.first, "second": self.second,
                "switch_t": self.switch_t, "text": self.text}


@dataclass(frozen=True, slots=True)
class LearnerSession:
    """16 kHz mono audio of a learner, with utterances and `code_switch` cue times as truth."""

    audio: npt.NDArray[np.float32]
    utterances: tuple[Utterance, ...]
    target: str
    seed: int

    @property
    def duration(self) -> float:
        return self.audio.size / SAMPLE_RATE

    @property
    def switch_times(self) -> tuple[float, ...]:
        return tuple(u.switch_t for u in self.utterances if u.switch_t is not None)

    def truth(self) -> dict[str, Any]:
        return {"target_language": self.target,
                "cues": [{"t": t, "kind": "code_switch"} for t in self.switch_times],
                "speech": [[u.start, u.end] for u in self.utterances],
                "utterances": [u.to_dict() for u in self.utterances]}


def generate_learner(*, seed: int, utterances: int = 5, switch_share: float = 0.6,
                     languages: tuple[str, ...] = LANGUAGES, target: str | None = None) -> LearnerSession:
    """A learner practising `target` (drawn if None) who slips into another language in some utterances.

    Each switching utterance says 3-6 words in the target language, then (after 0-0.15 s) 3-6
    words in another; controls say 5-8 words in the target language only. Pauses 1.2-2.5 s.
    """
    unknown = [lang for lang in languages if lang not in _VOICES]
    if unknown or len(languages) < 2:
        raise InputError("learner languages", expected=f"two or more of {list(_VOICES)}", got=list(languages))
    if not 0.0 <= switch_share <= 1.0:
        raise InputError("switch_share", expected="a number in [0, 1]", got=switch_share)
    rng = np.random.default_rng(seed)
    target = target or str(languages[int(rng.integers(len(languages)))])
    if target not in languages:
        raise InputError("target language", expected=f"one of {list(languages)}", got=repr(target))
    others = [lang for lang in languages if lang != target]
    rate, pitch = int(rng.integers(140, 185)), int(rng.integers(35, 70))
    pieces: list[npt.NDArray[np.float32]] = [np.zeros(int(SAMPLE_RATE * rng.uniform(0.6, 1.2)), np.float32)]
    t = pieces[0].size / SAMPLE_RATE
    result: list[Utterance] = []
    switches = rng.random(utterances) < switch_share
    for switch in switches:
        phrase = PHRASES[target][int(rng.integers(len(PHRASES[target])))]
        if switch:
            other = others[int(rng.integers(len(others)))]
            first_text = _words(phrase, rng, 3, 6)
            second_phrase = PHRASES[other][int(rng.integers(len(PHRASES[other])))]
            second_text = _words(second_phrase, rng, 3, 6)
            first = say(first_text, target, rate=rate, pitch=pitch)
            gap = np.zeros(int(SAMPLE_RATE * rng.uniform(0.0, 0.15)), np.float32)
            second = say(second_text, other, rate=rate, pitch=pitch)
            switch_t = t + (first.size + gap.size) / SAMPLE_RATE
            audio = np.concatenate([first, gap, second])
            result.append(Utterance(round(t, 4), round(t + audio.size / SAMPLE_RATE, 4), target, other,
                                    round(switch_t, 4), f"{first_text} | {second_text}"))
        else:
            text = _words(phrase, rng, 5, 8)
            audio = say(text, target, rate=rate, pitch=pitch)
            result.append(Utterance(round(t, 4), round(t + audio.size / SAMPLE_RATE, 4), target, None, None, text))
        pause = np.zeros(int(SAMPLE_RATE * rng.uniform(1.2, 2.5)), np.float32)
        pieces += [audio, pause]
        t += (audio.size + pause.size) / SAMPLE_RATE
    audio = np.concatenate(pieces)
    noise = rng.normal(0.0, 10 ** (-60 / 20), size=audio.size).astype(np.float32)
    return LearnerSession(audio=(audio * 0.7 + noise).astype(np.float32), utterances=tuple(result),
                          target=target, seed=seed)


def generate_language(spec: Any) -> Any:
    """Scenario generator `learner`: params utterances, switch_share, languages, target."""
    from designkit.scenarios.spec import Scenario
    from designkit.scenarios.truth import Cue, Segment, Truth

    params = dict(spec.params)
    if "languages" in params:
        params["languages"] = tuple(params["languages"])
    session = generate_learner(seed=spec.seed, **params)
    segments = []
    for u in session.utterances:
        lang = u.first if u.second is None else f"{u.first}>{u.second}"
        segments.append(Segment(u.start, u.end, u.text, (), lang))
    cues = tuple(Cue(t, "code_switch", {"from": u.first, "to": u.second or ""})
                 for u in session.utterances if (t := u.switch_t) is not None)
    truth = Truth(duration=session.duration, user_speech=tuple(segments), cues=cues,
                  context=("learner", session.target))
    return Scenario(spec=spec, audio=session.audio, truth=truth, name=f"{spec.kind}-{spec.seed}")


def _register() -> None:
    from designkit.scenarios.store import register_generator, register_set

    register_generator("learner", "designkit.scenarios.language:generate_language", version="1",
                       description="a language learner who switches language mid-utterance (espeak-ng)")
    register_set("learner-basic", "learner", {"utterances": 5, "switch_share": 0.6}, default_n=12,
                 description="5 utterances, ~60% switch mid-utterance (cue = switch), the rest are controls")
    register_set("learner-controls", "learner", {"utterances": 5, "switch_share": 0.0}, default_n=6,
                 description="5 utterances, never switching (false-alarm controls)")


_register()
