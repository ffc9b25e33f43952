"""Language perception: spoken language ID and code-switch cues (extra `language`)."""

from designkit.perception.language.language_id import LanguageID
from designkit.perception.language.perceiver import LANGUAGE_COLUMNS, LanguagePerceiver, Window
from designkit.perception.language.whisper import (
    MIN_WINDOW_S,
    check_audio,
    transcribe_en,
    whisper_base_dir,
    whisper_tiny_en_dir,
)

__all__ = ["LANGUAGE_COLUMNS", "MIN_WINDOW_S", "LanguageID", "LanguagePerceiver", "Window", "check_audio",
           "transcribe_en", "whisper_base_dir", "whisper_tiny_en_dir"]
