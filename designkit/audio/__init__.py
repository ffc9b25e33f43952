"""Audio helpers every layer above the core shares: the one WAV reader and writer, the
resampler, loudness, and the espeak-ng library binding."""

from designkit.audio.loudness import energy_db, frame_energy_db, rms
from designkit.audio.resample import resample
from designkit.audio.wav import read_wav, to_pcm16, write_wav

__all__ = ["energy_db", "frame_energy_db", "read_wav", "resample", "rms", "to_pcm16", "write_wav"]
