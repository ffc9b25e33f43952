"""Spoken language ID over candidate languages: Whisper base's encoder with a small trained head
(default) or Whisper's own language tokens."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from designkit.errors import InputError
from designkit.perception.language.probe import LanguageProbe, encoder_embedding
from designkit.perception.language.whisper import check_audio, whisper_base_dir, whisper_model


class LanguageID:
    """Scores a speech segment over candidate languages; probabilities sum to 1.

    `head="probe"` (default) uses the small head trained on generated speech over Whisper base's
    encoder (`probe.py`); `head="whisper"` uses Whisper's own language tokens,
    renormalised over the candidates: better on real voices, poor on espeak-ng.
    """

    def __init__(self, languages: Sequence[str] = ("en", "es", "fr", "de"), *, head: str = "probe",
                 cpu_threads: int = 2, model_dir: str | Path | None = None,
                 probe_path: str | Path | None = None) -> None:
        if len(languages) < 2:
            raise InputError("languages", expected="two or more language codes", got=list(languages))
        if head not in ("probe", "whisper"):
            raise InputError("language ID head", expected="'probe' or 'whisper'", got=repr(head))
        self.languages = tuple(languages)
        self.head = head
        self.model = whisper_model(Path(model_dir) if model_dir else whisper_base_dir(), cpu_threads)
        self.probe: LanguageProbe | None = None
        if head == "probe":
            self.probe = LanguageProbe.load(probe_path)
            missing = [lang for lang in self.languages if lang not in self.probe.languages]
        else:
            vocab = self.model.hf_tokenizer.get_vocab()
            missing = [lang for lang in self.languages if f"<|{lang}|>" not in vocab]
        if missing:
            raise InputError("languages", expected=f"codes the {head} head knows", got=missing)
        self._lock = threading.Lock()

    def probabilities(self, audio: npt.NDArray[np.float32]) -> dict[str, float]:
        """Candidate-language probabilities of one segment (>= 0.5 s, 16 kHz float32)."""
        samples = check_audio(audio)
        with self._lock:
            embedding, encoded = encoder_embedding(self.model, samples)
            if self.probe is None:
                scores = dict(self.model.model.detect_language(encoded)[0])
        if self.probe is not None:
            probs = self.probe.probabilities(embedding)
            raw = np.array([probs[lang] for lang in self.languages], dtype=np.float64)
        else:
            raw = np.array([scores.get(f"<|{lang}|>", 0.0) for lang in self.languages], dtype=np.float64)
        total = float(raw.sum())
        normed = raw / total if total > 0 else np.full(raw.size, 1.0 / raw.size)
        return dict(zip(self.languages, normed.tolist(), strict=True))
