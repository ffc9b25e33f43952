"""Sound in and out: the WAV/recording reader and writer, resampling, loudness, espeak-ng."""
