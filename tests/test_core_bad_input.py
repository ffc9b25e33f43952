"""Every bad input named in the foundation gets a clear InputError saying expected vs got."""

from __future__ import annotations

import numpy as np
import pytest

from designkit.core import AudioChunk, Event, MicroturnFramer, VideoFrame
from designkit.core.microturns import samples_per_microturn
from designkit.errors import InputError

SR = 16_000


def test_wrong_sample_rate_names_both_rates() -> None:
    with pytest.raises(InputError, match=r"expected 16000 Hz, got 44100 Hz"):
        AudioChunk(t0=0.0, samples=np.zeros(441, np.float32), sample_rate=44_100)


def test_stereo_is_refused_with_a_downmix_hint() -> None:
    with pytest.raises(InputError, match=r"mono.*got 2 channels.*downmix"):
        AudioChunk(t0=0.0, samples=np.zeros((100, 2), np.float32))


def test_single_channel_column_is_accepted_as_mono() -> None:
    chunk = AudioChunk(t0=0.0, samples=np.zeros((100, 1), np.float32))
    assert chunk.samples.shape == (100,)


@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.uint8])
def test_wrong_dtype(dtype: type) -> None:
    with pytest.raises(InputError, match=r"expected int16 or float32 PCM"):
        AudioChunk(t0=0.0, samples=np.zeros(10, dtype))


def test_int16_becomes_float32_in_minus_one_to_one() -> None:
    chunk = AudioChunk(t0=0.0, samples=np.array([-32768, 0, 16384], np.int16))
    assert chunk.samples.dtype == np.float32
    assert chunk.samples.tolist() == [-1.0, 0.0, 0.5]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf(bad: float) -> None:
    samples = np.zeros(10, np.float32)
    samples[3] = bad
    with pytest.raises(InputError, match="finite values"):
        AudioChunk(t0=0.0, samples=samples)


def test_empty_chunk() -> None:
    with pytest.raises(InputError, match="empty chunk"):
        AudioChunk(t0=0.0, samples=np.zeros(0, np.float32))


def test_oversize_chunk() -> None:
    with pytest.raises(InputError, match=r"at most 10 s, got 10.50 s"):
        AudioChunk(t0=0.0, samples=np.zeros(int(10.5 * SR), np.float32))


@pytest.mark.parametrize("t0", [-0.1, float("nan"), None])
def test_bad_start_time(t0: object) -> None:
    with pytest.raises(InputError, match="audio chunk start time"):
        AudioChunk(t0=t0, samples=np.zeros(10, np.float32))  # type: ignore[arg-type]


def test_non_monotonic_timestamps_in_replay() -> None:
    framer = MicroturnFramer(strict=True)
    framer.push_audio(AudioChunk(t0=0.0, samples=np.zeros(3200, np.float32)))
    framer.push_audio(AudioChunk(t0=0.4, samples=np.zeros(3200, np.float32)))
    with pytest.raises(InputError, match="out of order"):
        framer.push_audio(AudioChunk(t0=0.3, samples=np.zeros(3200, np.float32)))


def test_duplicate_chunk_in_replay() -> None:
    framer = MicroturnFramer(strict=True)
    framer.push_audio(AudioChunk(t0=0.0, samples=np.zeros(3200, np.float32), seq=0))
    with pytest.raises(InputError, match="duplicate"):
        framer.push_audio(AudioChunk(t0=0.0, samples=np.zeros(3200, np.float32), seq=0))


@pytest.mark.parametrize(
    ("image", "match"),
    [
        (np.zeros((240, 320), np.uint8), "H x W x 3"),
        (np.zeros((240, 320, 4), np.uint8), "H x W x 3"),
        (np.zeros((240, 320, 3), np.float32), "expected uint8"),
    ],
)
def test_video_frame_of_wrong_shape_or_dtype(image: np.ndarray, match: str) -> None:
    with pytest.raises(InputError, match=match):
        VideoFrame(t=0.0, image=image)


def test_event_without_a_time() -> None:
    with pytest.raises(InputError, match=r"event 'wizard' time: expected a time in seconds, got None"):
        Event(t=None, kind="wizard")  # type: ignore[arg-type]


@pytest.mark.parametrize("dt", [0.0, -0.2, 0.00001, 0.2000001])
def test_dt_not_positive_or_not_whole_samples(dt: float) -> None:
    with pytest.raises(InputError, match="microturn length dt"):
        samples_per_microturn(dt)


def test_whole_sample_dts_are_accepted() -> None:
    assert samples_per_microturn(0.2) == 3200
    assert samples_per_microturn(0.1) == 1600
    assert samples_per_microturn(0.05) == 800
