"""Dialogue scenarios: a user talking in turns, with holds, hesitations, barge-ins and noise.

Where real agents cut people off: pauses of 0.2–2.5 s *inside* a turn (holds), often after a
trailing "um" or "so". The truth marks each turn end (the agent may answer), each hold (it must
not), backchannel opportunities in longer holds, the reference agent's turns and the user's
barge-ins into them (the reference agent then stops within YIELD_S). Speech comes from espeak-ng; segment times are the rendered audio's own.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from designkit.audio.loudness import rms
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.render.tts import Voice, fresh_voices, synthesize
from designkit.scenarios import sounds
from designkit.scenarios.spec import Scenario, ScenarioSpec
from designkit.scenarios.truth import Noise, Segment, Truth, Word

VERSION = "2"  # 2: word labels follow the text (multi-word events, non-ASCII)
PHRASES = (
    "I went to the market this morning", "the bus was late again", "we should plan the trip soon",
    "my sister called me yesterday", "I think the meeting went well", "can you remind me what we decided",
    "the garden needs a lot of work", "I have been reading a new book", "it rained all weekend",
    "the new phone is much faster", "we could try the other restaurant", "I need to finish the report",
    "the kids loved the museum", "I am not sure about the price", "let me tell you what happened",
    "the train was completely full", "I started learning to cook", "my neighbour has a new dog",
    "I forgot my keys at the office", "the concert was amazing", "I would like to change my booking",
    "the doctor said it is nothing serious", "we painted the kitchen blue", "I lost track of time",
)
YIELD_S = 0.4  # how long the reference agent talks on after a barge-in (two 200 ms microturns)
HESITATIONS = ("um", "so", "uh", "and")
VOICES = ("en-us", "en+f3", "en+m3", "en-us+f2", "en+f4", "en+m5")
CONTEXTS = ("focused", "stressed", "public")
SNRS = (None, 20.0, 5.0)


@dataclass(frozen=True, slots=True)
class DialogueParams:
    """What a dialogue spec may set (`ScenarioSpec("dialogue", seed, params={...})`)."""

    duration_s: float = 60.0
    snr_db: float | None = None  # room noise under the speech: None (clean), 20, 5, ...
    context: str = "focused"  # focused | stressed (faster, higher, shorter pauses) | public (babble)
    noises: bool = True  # coughs, laughs, keyboard and door sounds between turns
    barge_in_rate: float = 0.3  # share of agent turns the user talks into
    hesitation_rate: float = 0.5  # share of holds that follow a trailing "um", "so", ...
    voice: str | None = None  # an espeak-ng voice name, "piper" (extra `voices`), or None: drawn from VOICES


def _params(spec: ScenarioSpec) -> DialogueParams:
    valid = {f.name for f in fields(DialogueParams)}
    unknown = set(spec.params) - valid
    if unknown:
        raise InputError("dialogue params", expected=f"names from {sorted(valid)}", got=sorted(unknown),
                         fix="check the spelling")
    p = DialogueParams(**dict(spec.params))
    if p.context not in CONTEXTS:
        raise InputError("dialogue context", expected=f"one of {list(CONTEXTS)}", got=repr(p.context))
    if float(p.duration_s) < 10:
        raise InputError("dialogue duration_s", expected=">= 10 s", got=p.duration_s)
    for name in ("barge_in_rate", "hesitation_rate"):
        if not 0.0 <= float(getattr(p, name)) <= 1.0:
            raise InputError(f"dialogue {name}", expected="a share between 0 and 1", got=getattr(p, name))
    if p.snr_db is not None and not -10.0 <= float(p.snr_db) <= 60.0:
        raise InputError("dialogue snr_db", expected="None (clean) or -10 to 60 dB", got=p.snr_db)
    return p


def generate_dialogue(spec: ScenarioSpec) -> Scenario:
    """Deterministic from `spec.seed`: speech comes from a fresh espeak-ng process."""
    with fresh_voices():
        return _generate_dialogue(spec)


def _generate_dialogue(spec: ScenarioSpec) -> Scenario:
    """A deterministic dialogue from `spec.seed` (see the module docstring for the truth)."""
    p = _params(spec)
    rng = np.random.default_rng(spec.seed)
    duration = float(p.duration_s)
    stressed = p.context == "stressed"
    name = str(p.voice or VOICES[int(rng.integers(len(VOICES)))])
    voice = Voice(
        name="en-us" if name == "piper" else name,
        rate=int(rng.integers(150, 190)) + (45 if stressed else 0),
        pitch=int(rng.integers(35, 65)) + (20 if stressed else 0),
        engine="piper" if name == "piper" else "espeak",
    )
    max_hold = 1.2 if stressed else 2.5
    n = round(duration * SAMPLE_RATE)
    audio = np.zeros(n, np.float32)
    segments: list[Segment] = []
    holds: list[tuple[float, float]] = []
    turn_ends: list[float] = []
    backchannels: list[float] = []
    agent_turns: list[tuple[float, float]] = []
    barge_ins: list[float] = []
    t = float(rng.uniform(0.5, 1.5))
    barging = False
    while True:
        utterances = int(rng.integers(1, 4))
        finished = True
        for j in range(utterances):
            text = str(PHRASES[int(rng.integers(len(PHRASES)))])
            last = j == utterances - 1
            if not last and rng.random() < float(p.hesitation_rate):
                text += ", " + str(HESITATIONS[int(rng.integers(len(HESITATIONS)))])
            speech = synthesize(text, voice)
            if t + speech.duration > duration - 1.0:
                finished = False
                break
            a = round(t * SAMPLE_RATE)
            audio[a : a + speech.samples.size] += speech.samples
            start = a / SAMPLE_RATE
            end = start + speech.duration
            segments.append(Segment(start, end, text, tuple(Word(w, start + s, start + e) for w, s, e in speech.words)))
            if barging:
                barge_ins.append(start)
                # The reference agent yields: it stops talking YIELD_S after the user barges in.
                agent_turns[-1] = (agent_turns[-1][0], min(agent_turns[-1][1], start + YIELD_S))
                barging = False
            t = end
            if not last:
                hold = float(rng.uniform(0.2, max_hold))
                holds.append((t, t + hold))
                if hold >= 0.5:
                    backchannels.append(round(t + 0.2, 3))
                t += hold
        if not finished or not segments:
            break
        turn_ends.append(t)
        gap = float(rng.uniform(0.3, 0.8))
        agent_len = float(rng.uniform(1.5, 4.0))
        agent_turns.append((t + gap, min(t + gap + agent_len, duration)))
        if rng.random() < float(p.barge_in_rate):
            t = t + gap + float(rng.uniform(0.4, min(1.5, agent_len - 0.2)))
            barging = True
        else:
            t = t + gap + agent_len + float(rng.uniform(0.3, 1.0))
        if t > duration - 2.0:
            break
    agent_turns = [(a, b) for a, b in agent_turns if a < duration]
    # A turn cut short by the end of the session has no pause after its last utterance.
    last_end = segments[-1].end if segments else 0.0
    holds = [h for h in holds if h[0] < last_end]
    # Utterances start on a sample: a hold ends exactly where the next utterance begins.
    starts = [s.start for s in segments]
    holds = [(a, min((x for x in starts if x >= a - 1e-3), default=b)) for a, b in holds]
    backchannels = [b for b in backchannels if b < last_end]
    speech_rms = rms(np.concatenate([audio[round(s.start * SAMPLE_RATE) : round(s.end * SAMPLE_RATE)] for s in segments])) if segments else 0.1

    noises: list[Noise] = []
    if p.noises:
        quiet = _quiet_spans(segments, duration)
        for quiet_start, quiet_end in quiet:
            if quiet_end - quiet_start > 1.2 and rng.random() < 0.35:
                kind = str(sounds.KINDS[int(rng.integers(len(sounds.KINDS)))])
                clip = sounds.SOUNDS[kind](rng) * speech_rms * 3.0
                if quiet_end - quiet_start - 0.6 <= clip.size / SAMPLE_RATE:
                    continue
                at = float(rng.uniform(quiet_start + 0.3, quiet_end - 0.3 - clip.size / SAMPLE_RATE))
                i = round(at * SAMPLE_RATE)
                audio[i : i + clip.size] += clip
                noises.append(Noise(i / SAMPLE_RATE, (i + clip.size) / SAMPLE_RATE, kind))
    context = [p.context]
    if p.context == "public":
        audio += _babble(rng, n) * speech_rms * 10 ** (-12 / 20)
    if p.snr_db is not None:
        audio += sounds.background(rng, n) * speech_rms * 10 ** (-float(p.snr_db) / 20)
    truth = Truth(
        duration=n / SAMPLE_RATE, user_speech=tuple(segments), turn_ends=tuple(turn_ends), holds=tuple(holds),
        backchannel_opportunities=tuple(backchannels), agent_turns=tuple(agent_turns), barge_ins=tuple(barge_ins),
        should_not_speak=tuple(holds), noises=tuple(noises), context=tuple(context),
    )
    peak = float(np.abs(audio).max())
    if peak > 0.99:
        audio *= 0.99 / peak
    snr = "clean" if p.snr_db is None else f"{p.snr_db:g}dB"
    return Scenario(spec=spec, audio=audio, truth=truth, name=f"dialogue-{p.context}-{snr}-{spec.seed}")


def _quiet_spans(segments: list[Segment], duration: float) -> list[tuple[float, float]]:
    spans, t = [], 0.0
    for s in segments:
        spans.append((t, s.start))
        t = s.end
    spans.append((t, duration))
    return [(a, b) for a, b in spans if b > a]


def _babble(rng: np.random.Generator, n: int) -> np.ndarray:
    """Several distant talkers at once, looped to length: a café behind the user. Unit RMS."""
    out = np.zeros(n, np.float32)
    for k in range(4):
        voice = Voice(name=VOICES[(k + 1) % len(VOICES)], rate=int(rng.integers(150, 200)), pitch=int(rng.integers(20, 80)))
        text = ". ".join(str(PHRASES[int(i)]) for i in rng.integers(len(PHRASES), size=4))
        talker = synthesize(text, voice).samples
        reps = int(np.ceil(n / talker.size))
        out += np.roll(np.tile(talker, reps)[:n], int(rng.integers(n)))
    return out / (rms(out) + 1e-12)
