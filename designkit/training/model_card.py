"""Score the turn-taking model beside its baselines on held-out dialogues, and write its model card.

Methods, all reduced to "respond at the first microturn of a pause whose score >= threshold":
- `own model + wait_for_pause`: how the model drives the default `Policy()`: the proposer's
  "respond" (confidence = `eot`) is taken once Silero VAD has heard `pause_s` of silence and the
  confidence reaches the policy's threshold (both read from `Policy()`: 0.6 s and 0.6);
- `own model alone`: `eot` >= 0.5 in any microturn where Silero VAD hears no speech;
- `timeout 0.5 s` / `timeout 0.8 s`: fixed silence timeouts behind a perfect VAD (the truth);
- `Silero + timeout 0.5 s` / `0.8 s`: the same timeouts on Silero VAD's speech per microturn;
- `Smart Turn v3`: its `eot` after each Silero offset (see `designkit.perception.audio.smart_turn`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from designkit.core import Session
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.perception.audio.silero import SileroVAD
from designkit.perception.audio.smart_turn import SmartTurn
from designkit.perception.audio.turn_taking import TurnTakingModel, TurnTakingNet
from designkit.policy import Policy
from designkit.training import pause_scoring as ev
from designkit.training.config import HEAD_WEIGHTS, TrainConfig
from designkit.training.dialogues import Dialogue

logger = logging.getLogger(__name__)

OWN = "own model + wait_for_pause"
ALONE = "own model alone"
SMART_TURN = "Smart Turn v3"
TIMEOUTS = (0.5, 0.8)
SWEEP_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
SWEEP_TIMEOUTS = (0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.6, 2.0)


def method_scores(net: TurnTakingNet, dialogue: Dialogue, *, smart_turn: bool = True,
                  dt: float = 0.2) -> dict[str, dict[str, np.ndarray]]:
    """Per-microturn scores of every method on one dialogue (`eot` and, where it has one, `bc`)."""
    turns = list(Session.from_array(dialogue.audio, chunk_s=10.0, dt=dt).microturns())
    n = len(turns)
    vad = SileroVAD().replay(turns)["vad"]
    silent = vad < 0.5
    model = TurnTakingModel(net=net, device="cpu").replay(turns)
    policy = _policy()
    waited = ev.timeout_scores(~silent, policy.pause_s, dt=dt) > 0
    # Scaled so that the policy's threshold lands on 0.5, the threshold every method is read at.
    out: dict[str, dict[str, np.ndarray]] = {
        OWN: {"eot": np.where(waited, _at_half(model["eot"], policy.threshold), 0.0), "bc": model["bc"]},
        ALONE: {"eot": np.where(silent, model["eot"], 0.0)},
        "Silero pause (1 - vad)": {"bc": 1.0 - vad},
    }
    for timeout in TIMEOUTS:
        out[f"timeout {timeout} s"] = {"eot": ev.oracle_timeout_scores(dialogue.truth, n, timeout, dt=dt)}
        out[f"Silero + timeout {timeout} s"] = {"eot": ev.timeout_scores(~silent, timeout, dt=dt)}
    if smart_turn:
        st = SmartTurn()
        out[SMART_TURN] = {"eot": np.asarray(st.replay(turns)["eot"])}
        st.close()
    return out


def _policy() -> Any:
    return Policy()


def _at_half(p: np.ndarray, threshold: float) -> np.ndarray:
    """Map [0, 1] onto [0, 1] piecewise linearly so that `threshold` becomes 0.5."""
    return np.where(p < threshold, 0.5 * p / max(threshold, 1e-9),
                    0.5 + 0.5 * (p - threshold) / max(1.0 - threshold, 1e-9))


def evaluate(net: TurnTakingNet, dialogues: Sequence[Dialogue], *, smart_turn: bool = True,
             dt: float = 0.2, progress: bool = False) -> dict[str, Any]:
    """The model card's table: per method, balanced accuracy, recalls, cut-ins, latency, bc AUC;
    plus the latency / cut-in trade-off over thresholds and timeouts."""
    from tqdm.auto import tqdm

    if not dialogues:
        raise InputError("dialogues to evaluate on", expected="at least one", got="none")
    per_dialogue = [method_scores(net, d, smart_turn=smart_turn, dt=dt)
                    for d in tqdm(dialogues, desc="scoring", unit="dialogue", disable=not progress)]
    methods = list(per_dialogue[0])
    rows: dict[str, dict[str, float]] = {}
    for method in methods:
        row: dict[str, float] = {}
        if "eot" in per_dialogue[0][method]:
            results = [o for d, s in zip(dialogues, per_dialogue, strict=True)
                       for o in ev.outcomes(s[method]["eot"], d.truth, dt=dt)]
            result = ev.score(results)
            row.update(balanced_accuracy=result.balanced_accuracy, shift_recall=result.shift_recall,
                       hold_recall=result.hold_recall, false_cut_in_rate=result.false_cut_in_rate,
                       latency_s=result.latency_s, shifts=result.shifts, holds=result.holds)
        if "bc" in per_dialogue[0][method]:
            scores = np.concatenate([s[method]["bc"] for s in per_dialogue])
            labels = np.concatenate([ev.backchannel_labels(d.truth, len(s[method]["bc"]), dt=dt)
                                     for d, s in zip(dialogues, per_dialogue, strict=True)])
            row["bc_auc"] = ev.auc(scores, labels)
        rows[method] = {k: round(float(v), 4) for k, v in row.items()}
    return {"methods": rows, "tradeoff": _tradeoff(dialogues, per_dialogue, smart_turn=smart_turn, dt=dt),
            "dialogues": len(dialogues),
            "audio_s": round(sum(d.audio.size for d in dialogues) / SAMPLE_RATE, 1)}


def _tradeoff(dialogues: Sequence[Dialogue], per_dialogue: Sequence[Mapping[str, Mapping[str, np.ndarray]]],
              *, smart_turn: bool, dt: float) -> list[dict[str, Any]]:
    points = []

    def add(method: str, setting: float, pick: str, threshold: float, scores_of: Any) -> None:
        results = [o for d, s in zip(dialogues, per_dialogue, strict=True)
                   for o in ev.outcomes(scores_of(d, s), d.truth, dt=dt, threshold=threshold)]
        result = ev.score(results)
        points.append({"method": method, "setting": setting, "setting_kind": pick,
                       "latency_s": round(result.latency_s, 4),
                       "false_cut_in_rate": round(result.false_cut_in_rate, 4),
                       "balanced_accuracy": round(result.balanced_accuracy, 4)})

    for threshold in SWEEP_THRESHOLDS:
        add(ALONE, threshold, "threshold", threshold, lambda d, s: s[ALONE]["eot"])
        if smart_turn:
            add(SMART_TURN, threshold, "threshold", threshold, lambda d, s: s[SMART_TURN]["eot"])
    for timeout in SWEEP_TIMEOUTS:
        add("timeout (perfect VAD)", timeout, "timeout_s", 0.5,
            lambda d, s, t=timeout: ev.oracle_timeout_scores(d.truth, len(s[OWN]["eot"]), t, dt=dt))
    return points + _policy_sweep(dialogues, per_dialogue, dt=dt)


def _policy_sweep(dialogues: Sequence[Dialogue], per_dialogue: Sequence[Mapping[str, Mapping[str, np.ndarray]]],
                  *, dt: float) -> list[dict[str, Any]]:
    """The model under `wait_for_pause` with pause 0.2 .. 1.0 s at the policy's threshold."""
    points = []
    for pause in (0.2, 0.4, 0.6, 0.8, 1.0):
        results = []
        for d, s in zip(dialogues, per_dialogue, strict=True):
            alone = s[ALONE]["eot"]
            # `alone` is eot where Silero hears silence, else 0; re-gate it by the pause length.
            silent = s["Silero pause (1 - vad)"]["bc"] > 0.5
            waited = ev.timeout_scores(~silent, pause, dt=dt) > 0
            scores = np.where(waited, _at_half(alone, _policy().threshold), 0.0)
            results += ev.outcomes(scores, d.truth, dt=dt)
        result = ev.score(results)
        points.append({"method": OWN, "setting": pause, "setting_kind": "pause_s",
                       "latency_s": round(result.latency_s, 4),
                       "false_cut_in_rate": round(result.false_cut_in_rate, 4),
                       "balanced_accuracy": round(result.balanced_accuracy, 4)})
    return points


def best_timeout(table: Mapping[str, Any]) -> float:
    """The better of the fixed-timeout baselines' balanced accuracy (perfect VAD)."""
    return float(max(table["methods"][f"timeout {t} s"]["balanced_accuracy"] for t in TIMEOUTS))


def markdown_table(table: Mapping[str, Any]) -> str:
    lines = ["| method | shift/hold balanced acc. | shift recall | hold recall | false cut-in rate | "
             "mean response latency (s) | backchannel AUC |",
             "|---|---|---|---|---|---|---|"]
    for method, row in table["methods"].items():
        def cell(key: str, row: Mapping[str, float] = row) -> str:
            return f"{row[key]:.3f}" if key in row else "–"
        lines.append(f"| {method} | {cell('balanced_accuracy')} | {cell('shift_recall')} | {cell('hold_recall')} | "
                     f"{cell('false_cut_in_rate')} | {cell('latency_s')} | {cell('bc_auc')} |")
    return "\n".join(lines)


def tradeoff_table(table: Mapping[str, Any]) -> str:
    lines = ["| method | setting | mean response latency (s) | false cut-in rate |", "|---|---|---|---|"]
    for point in sorted(table["tradeoff"], key=lambda p: (p["method"], p["setting"])):
        lines.append(f"| {point['method']} | {point['setting_kind']} {point['setting']} | "
                     f"{point['latency_s']:.3f} | {point['false_cut_in_rate']:.3f} |")
    return "\n".join(lines)


IMPORTED_HEADING = "## Evaluation on imported recordings"


def imported_section(table: Mapping[str, Any], source: str) -> str:
    """The card's section for recordings scored with `designkit model evaluate --card`."""
    own, best = table["methods"][OWN]["balanced_accuracy"], best_timeout(table)
    verdict = "above" if own > best else "not above"
    return f"""{IMPORTED_HEADING} ({table['dialogues']} recordings, {table['audio_s'] / 60:.1f} min)
{source}

Scored the same way as the held-out dialogues above (annotations: `user` spans, `hold` spans,
`turn_end` and `backchannel` points). Here the own model's balanced accuracy ({own:.3f}) is
**{verdict}** the better fixed timeout behind a perfect VAD ({best:.3f}).

{markdown_table(table)}

### Response latency vs false cut-ins (driving `wait_for_pause`)
{tradeoff_table(table)}
"""


def with_imported(card: str, section: str) -> str:
    """`card` with its imported-recordings section replaced by `section` (added before Limits)."""
    start = card.find(IMPORTED_HEADING)
    if start >= 0:
        end = card.find("\n## ", start + len(IMPORTED_HEADING))
        return card[:start] + section + (card[end + 1 :] if end >= 0 else "")
    limits = card.find("\n## Limits")
    if limits < 0:
        return card.rstrip("\n") + "\n\n" + section
    return card[: limits + 1] + section + "\n" + card[limits + 1 :]


def render(config: TrainConfig, log: Mapping[str, Any], table: Mapping[str, Any],
           imported: Mapping[str, Any] | None = None) -> str:
    """The model card as Markdown; `imported` ({"table", "source"}) adds the recordings section."""
    card = _render(config, log, table)
    return with_imported(card, imported_section(imported["table"], imported["source"])) if imported else card


def _render(config: TrainConfig, log: Mapping[str, Any], table: Mapping[str, Any]) -> str:
    model = config.model
    return f"""# Turn-taking model `{model.version}` (designkit's own)

A small causal network that listens to the user's microphone and, every 200 ms microturn,
predicts the user's voice activity over the next 0.2 / 0.4 / 0.6 / 0.8 s, whether a pause ends
the turn (shift) or not (hold), and whether this is a moment for a backchannel. It drives the
`TurnTakingProposer`; the designer's policy decides what to do with its proposals.

## Architecture
- Front end: causal log-mel, {model.n_mels} bins, 25 ms windows every 10 ms (past samples only).
- {model.stack} frames stacked per 50 ms step -> linear ({model.proj}) + ReLU -> GRU ({model.hidden}) -> 7 sigmoid heads.
- {log['parameters']:,} parameters, float32 weights (file `vap.pt`); inference in float64 so
  streaming `step()` equals batched `replay()` bit for bit.

## Training data
Generated dialogue scenarios (`designkit.scenarios`, espeak-ng voices), user channel only.
- Training: {config.train.describe()}
- Held out: {config.held_out.describe()}
- {log['dialogues']} training dialogues, {log['audio_hours']} h of audio.

## Training
`python -m designkit.training train` ({log['device']}, {log['threads']} threads):
{config.epochs} epochs, batch {config.batch}, {config.crop_s:g} s crops, AdamW with one-cycle
lr {config.lr:g}, loss = masked binary cross-entropy per head (weights {_weights()}).
Training took {log['train_seconds']:.0f} s after {log['data_seconds']:.0f} s of data generation.
The full configuration is in `train_config.json`; the numbers below are in `evaluation.json`.

## Evaluation (held-out dialogues: {table['dialogues']}, {table['audio_s'] / 60:.1f} min)
Pauses in the user's speech are shifts (the turn ended) or holds (the user goes on). Each method
responds at the first microturn of a pause whose score reaches 0.5 (a timeout: once the silence
lasts that long). *Own model + wait_for_pause* is the model driving the default `Policy()`: it
responds once Silero VAD has heard {_policy().pause_s:g} s of silence and `eot` reaches the policy's
confidence threshold ({_policy().threshold:g}). *Own model alone* responds as soon as `eot` >= 0.5
in a microturn Silero VAD hears as silent. Balanced accuracy: a shift counts as right if the method responds within 0.8 s,
a hold if it does not respond within 0.8 s or before the user resumes. False cut-in: responding
in a hold before the user resumes. Latency: mean time from the turn end to the response at
shifts (3 s if none). Backchannel AUC: per-microturn ROC AUC against opportunities in the truth.

{markdown_table(table)}

### Response latency vs false cut-ins (driving `wait_for_pause`)
{tradeoff_table(table)}

## Limits
- Trained and tested on synthetic speech (espeak-ng): holds, hesitations and turn ends follow
  the generator's rules, so these numbers say how well the model learns those cues, not how it
  does on people. A voice it never heard can cost it its lead over a fixed timeout (see the
  imported recordings, when scored). Score it on your own recordings with `designkit model evaluate REC.wav ...`.
- One speaker channel: it does not hear the agent; echo from loudspeakers will read as the user.
- GPU throughput was not measured (no GPU here); `device="auto"` uses CUDA when present.

## Licence
Weights trained here from generated data: MIT, like designkit. Silero VAD (MIT) and Smart Turn
v3 (BSD-2-Clause) are used from their own wheels and not redistributed.
"""


def _weights() -> str:
    return ", ".join(f"{k} {v:g}" for k, v in HEAD_WEIGHTS.items())
