"""Recordings people have: WAV of any width, float and extensible, FLAC, OGG, MP3, M4A, WebM/Opus
(ipywebrtc's clips) and video files all read through one reader and give the same microturns as
the 16 kHz PCM original, within a stated tolerance; what cannot be read is a clear error."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from designkit.audio.recordings import ffmpeg_exe, read_recording, session_from_recording, sniff_format
from designkit.audio.wav import write_wav
from designkit.core import Engine
from designkit.errors import InputError
from designkit.perception import EnergyVAD
from designkit.policy import SpeakAfterSilence
from designkit.testing import scripted_audio

pytestmark = pytest.mark.skipif(ffmpeg_exe() is None or shutil.which("sox") is None,
                                reason="needs ffmpeg and sox (make setup installs them)")

USER = [(0.6, 2.4), (3.2, 5.0), (6.4, 7.6)]
DURATION = 9.0
# Tolerances, per microturn, against the 16 kHz 16-bit original:
#   lossless (24-bit, float, FLAC, extensible, 44.1 kHz stereo):   |energy| <= 0.5 dB, same decisions
#   lossy codecs (OGG Vorbis, MP3, M4A/AAC, WebM/Opus, MP4 video): |energy| <= 1 dB on voiced
#   microturns, VAD state and decisions equal on >= 95 % of microturns, length within 1 microturn.
LOSSLESS_DB, LOSSY_DB, LOSSY_AGREEMENT = 0.5, 1.0, 0.95


def _ffmpeg(*args: str) -> None:
    subprocess.run([str(ffmpeg_exe()), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _sox(*args: str) -> None:
    subprocess.run(["sox", *args], check=True)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("recordings")
    return write_wav(folder / "original.wav", scripted_audio(USER, DURATION, seed=7) * 0.8)


MAKERS = {
    "wav-float32": lambda src, out: _sox(str(src), "-e", "floating-point", "-b", "32", str(out)),
    "wav-24bit": lambda src, out: _sox(str(src), "-b", "24", str(out)),
    # sox writes 24-bit WAV as WAVE_FORMAT_EXTENSIBLE; `remix 1 1` copies the channel exactly.
    "wav-extensible-44k-stereo": lambda src, out: _sox(str(src), "-b", "24", str(out), "rate", "-v", "44100",
                                                       "remix", "1", "1"),
    "flac": lambda src, out: _ffmpeg("-i", str(src), "-f", "flac", str(out)),
    "ogg-vorbis": lambda src, out: _ffmpeg("-i", str(src), "-c:a", "libvorbis", "-q:a", "5", str(out)),
    "mp3": lambda src, out: _ffmpeg("-i", str(src), "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k", str(out)),
    "m4a": lambda src, out: _ffmpeg("-i", str(src), "-ar", "44100", "-c:a", "aac", "-b:a", "128k", str(out)),
    # As ipywebrtc's AudioRecorder records in Chromium: WebM, Opus at 48 kHz.
    "webm-opus": lambda src, out: _ffmpeg("-i", str(src), "-ar", "48000", "-c:a", "libopus", "-b:a", "64k", str(out)),
    "mp4-video": lambda src, out: _ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=64x48:r=10", "-i", str(src),
                                          "-shortest", "-c:v", "mpeg4", "-c:a", "aac", "-b:a", "128k", str(out)),
}
SUFFIX = {"wav-float32": ".wav", "wav-24bit": ".wav", "wav-extensible-44k-stereo": ".wav", "flac": ".flac",
          "ogg-vorbis": ".ogg", "mp3": ".mp3", "m4a": ".m4a", "webm-opus": ".webm", "mp4-video": ".mp4"}
LOSSLESS = {"wav-float32", "wav-24bit", "wav-extensible-44k-stereo", "flac"}


def _microturns(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    from designkit.core import Session

    engine = Engine([EnergyVAD()], SpeakAfterSilence())
    records = engine.replay(Session.from_array(samples))
    energy = np.array([r.signals["energy_db"] for r in records])
    vad = np.array([r.signals["vad"] > 0.5 for r in records])
    return energy, vad, [r.decision.reason.value for r in records]


@pytest.mark.parametrize("kind", list(MAKERS))
def test_each_format_gives_the_microturns_of_the_original(kind: str, original: Path, tmp_path: Path) -> None:
    made = tmp_path / f"clip{SUFFIX[kind]}"
    MAKERS[kind](original, made)
    recording = read_recording(made)
    reference = read_recording(original)
    assert reference.conversions == ()
    e0, v0, d0 = _microturns(reference.samples)
    e1, v1, d1 = _microturns(recording.samples)
    assert abs(len(e1) - len(e0)) <= 1, f"{kind}: {len(e1)} microturns, the original has {len(e0)}"
    n = min(len(e0), len(e1))
    voiced = v0[:n]
    if kind in LOSSLESS:
        assert np.max(np.abs(e1[:n] - e0[:n])) <= LOSSLESS_DB, kind
        assert d1[:n] == d0[:n] and np.array_equal(v1[:n], v0[:n])
    else:
        assert np.max(np.abs(e1[:n] - e0[:n])[voiced]) <= LOSSY_DB, kind
        assert np.mean(v1[:n] == v0[:n]) >= LOSSY_AGREEMENT, kind
        assert np.mean(np.array(d1[:n]) == np.array(d0[:n])) >= LOSSY_AGREEMENT, kind
        if kind != "ogg-vorbis":  # libsndfile reads OGG itself; the rest goes through ffmpeg
            assert recording.conversions[0].startswith("decoding ") and "ffmpeg" in recording.conversions[0]
    if kind == "wav-extensible-44k-stereo":
        assert made.read_bytes()[20:22] == b"\xfe\xff"  # WAVE_FORMAT_EXTENSIBLE
        assert recording.conversions == ("mixing 2 channels down to mono", "resampling 44100 Hz to 16000 Hz")


def test_the_format_is_sniffed_from_the_bytes_not_the_name(original: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "really-flac.wav"
    MAKERS["flac"](original, disguised)
    assert sniff_format(disguised.read_bytes()[:16], ".wav") == "FLAC"
    assert read_recording(disguised).format.startswith("FLAC")


def test_unreadable_recordings_are_errors_naming_the_format(original: Path, tmp_path: Path) -> None:
    junk = tmp_path / "voice-memo.mp3"
    junk.write_bytes(b"\xff\xfb" + bytes(range(200)) * 10)
    with pytest.raises(InputError, match="readable MP3 file"):
        read_recording(junk)
    silent_video = tmp_path / "no-sound.mp4"
    _ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=64x48:r=10:d=1", "-c:v", "mpeg4", str(silent_video))
    with pytest.raises(InputError, match=r"MP4/M4A.*no audio track"):
        read_recording(silent_video)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(b"RIFF\x00\x00")
    with pytest.raises(InputError, match=r"recording .*cut\.wav"):
        read_recording(cut)
    empty = tmp_path / "empty.flac"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="an empty file"):
        read_recording(empty)


def test_a_float_wav_in_int16_scale_is_refused_and_a_slightly_hot_one_is_clipped_and_logged(
        tmp_path: Path) -> None:
    import soundfile

    loud = np.sin(np.linspace(0, 400, 16_000)).astype(np.float32)
    soundfile.write(tmp_path / "int16-scale.wav", loud * 20_000, 16_000, subtype="FLOAT")
    with pytest.raises(InputError, match="divide by 32768"):
        read_recording(tmp_path / "int16-scale.wav")
    assert np.abs(read_recording(tmp_path / "int16-scale.wav", clip=True).samples).max() == 1.0
    soundfile.write(tmp_path / "hot.wav", loud * 1.2, 16_000, subtype="FLOAT")
    hot = read_recording(tmp_path / "hot.wav")
    assert np.abs(hot.samples).max() == 1.0 and hot.conversions[0].startswith("clipping")


class FakeMediaWidget:
    """What ipywebrtc's Audio widget holds after a recording: bytes and their container."""

    def __init__(self, value: bytes) -> None:
        self.value = value
        self.format = "webm"


class FakeAudioRecorder:
    def __init__(self, value: bytes) -> None:
        self.audio = FakeMediaWidget(value)


def test_an_ipywebrtc_style_clip_imports_as_a_session_in_one_call(original: Path, tmp_path: Path) -> None:
    clip = tmp_path / "clip.webm"
    MAKERS["webm-opus"](original, clip)
    session = session_from_recording(FakeAudioRecorder(clip.read_bytes()), name="from-the-recorder")
    assert session.name == "from-the-recorder" and session.meta["format"] == "WebM/Matroska"
    assert session.meta["source_rate"] == 48_000
    assert abs(session.duration - DURATION) <= 0.2
    assert session_from_recording(clip).meta["conversions"][0] == "decoding WebM/Matroska with ffmpeg"
    with pytest.raises(InputError, match="record first"):
        session_from_recording(FakeAudioRecorder(b""))


class FakeVideoRecorder:
    def __init__(self, value: bytes) -> None:
        self.video = FakeMediaWidget(value)


def test_a_video_recorder_clip_imports_its_audio_track(original: Path, tmp_path: Path) -> None:
    """ipywebrtc's VideoRecorder records WebM with VP8 video and Opus audio: the audio track is the session."""
    clip = tmp_path / "camera.webm"
    _ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=64x48:r=10", "-i", str(original), "-shortest",
            "-c:v", "libvpx", "-c:a", "libopus", "-ar", "48000", str(clip))
    session = session_from_recording(FakeVideoRecorder(clip.read_bytes()))
    e0, v0, _ = _microturns(read_recording(original).samples)
    e1, v1, _ = _microturns(session.samples())
    n = min(len(e0), len(e1))
    assert abs(len(e1) - len(e0)) <= 1 and np.mean(v1[:n] == v0[:n]) >= LOSSY_AGREEMENT
