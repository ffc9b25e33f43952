"""espeak-ng's C library through ctypes (standard library only), and a tiny speech server.

`python -m designkit.audio.espeak` reads pickled `(text, voice_name, rate, pitch)` requests on
stdin and answers `("ok", sample_rate, pcm_int16_bytes, word_events)` or `("voice", name)` on
stdout; `None` ends it. It starts in ~30 ms (no numpy), so each generated scenario can speak
through an espeak-ng that has never spoken before (espeak-ng carries state between utterances).
"""

from __future__ import annotations

import ctypes
import pickle
import sys
import threading

from designkit.audio.tools import ToolMissing, espeak_paths

_SYNCHRONOUS = 2
_DONT_EXIT = 0x8000
_EVENT_WORD = 1
_RATE, _PITCH = 1, 3
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
RAND_SEED = 1

Events = list[tuple[int, int, int]]  # (1-based character position, length in characters, audio ms)


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class LibraryMissing(OSError):
    """libespeak-ng could not be loaded or initialised."""


class UnknownVoice(LookupError):
    """espeak-ng has no voice of that name."""


class Espeak:
    """One initialised espeak-ng library per process (it keeps global state), used under a lock."""

    def __init__(self) -> None:
        try:
            paths = espeak_paths()
        except ToolMissing as exc:
            raise LibraryMissing(str(exc)) from exc
        try:
            self.lib = ctypes.CDLL(paths.library)
        except OSError as exc:
            raise LibraryMissing(f"{paths.library} ({paths.source}): {exc}") from exc
        self.source = paths.source
        data = paths.data.encode() if paths.data else None
        self.rate = int(self.lib.espeak_Initialize(_SYNCHRONOUS, 200, data, _DONT_EXIT))
        if self.rate <= 0:
            raise LibraryMissing(f"espeak_Initialize returned {self.rate} ({paths.library}, data {paths.data})")
        self.lib.espeak_Info.restype = ctypes.c_char_p
        self.lib.espeak_Info.argtypes = [ctypes.c_void_p]
        self.version = (self.lib.espeak_Info(None) or b"?").decode()
        self.lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self._pcm: list[bytes] = []
        self._events: Events = []
        self._callback = _CALLBACK(self._collect)
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lock = threading.Lock()
        # espeak-ng >= 1.52 seeds its random numbers (voice variants' flutter, breath noise) from the
        # clock: fix the seed before each utterance, or the same text differs from one second to the
        # next. 1.51 (Debian's) has no such call and no clock seed.
        try:
            self._seed = self.lib.espeak_ng_SetRandSeed
            self._seed.argtypes = [ctypes.c_long]
        except AttributeError:
            self._seed = None

    def _collect(self, wav: ctypes.Array, count: int, events: ctypes.Array) -> int:  # type: ignore[type-arg]
        if count > 0:
            self._pcm.append(ctypes.string_at(wav, count * 2))
        i = 0
        while events[i].type != 0:
            if events[i].type == _EVENT_WORD:
                self._events.append((events[i].text_position, events[i].length, events[i].audio_position))
            i += 1
        return 0

    def synth(self, text: str, name: str, rate: int, pitch: int) -> tuple[bytes, Events]:
        """16-bit PCM at `self.rate` and the WORD events of `text`."""
        with self.lock:
            if self.lib.espeak_SetVoiceByName(name.encode()) != 0:
                raise UnknownVoice(name)
            self.lib.espeak_SetParameter(_RATE, rate, 0)
            self.lib.espeak_SetParameter(_PITCH, pitch, 0)
            self._pcm, self._events = [], []
            if self._seed is not None:
                self._seed(RAND_SEED)
            data = text.encode("utf-8") + b"\0"
            self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            self.lib.espeak_Synchronize()
            return b"".join(self._pcm), list(self._events)


def serve() -> None:
    """The server loop (see the module docstring)."""
    reader, writer = sys.stdin.buffer, sys.stdout.buffer
    try:
        engine = Espeak()
    except LibraryMissing as exc:
        pickle.dump(("missing", str(exc)), writer)
        writer.flush()
        return
    while True:
        try:
            message = pickle.load(reader)
        except EOFError:
            return
        if message is None:
            return
        text, name, rate, pitch = message
        try:
            pcm, events = engine.synth(text, name, rate, pitch)
            answer: tuple[object, ...] = ("ok", engine.rate, pcm, events)
        except UnknownVoice:
            answer = ("voice", name)
        pickle.dump(answer, writer)
        writer.flush()


if __name__ == "__main__":
    serve()
