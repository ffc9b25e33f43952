"""Train the turn-taking model on generated dialogues and write its weights, card and config.

    python -m designkit.training train                   # ~5 min on 1-2 CPU cores, writes models/vap/
    python -m designkit.training train --quick           # a small smoke run into a temporary folder
    python -m designkit.training train --evaluate-only   # score models/vap/ again, rewrite its card

Training and held-out sets are generated dialogue scenarios that differ in seeds, voices and
noise levels (see `dialogues.py`). After training, the model and the baselines are scored on the
held-out set (`model_card.py`, `pause_scoring.py`) and the table goes into `MODEL_CARD.md` beside the weights.
Runs on a GPU when one is visible (`--device auto`).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from tqdm.auto import tqdm

from designkit.core.streams import SAMPLE_RATE
from designkit.perception.audio.turn_taking import (
    HEADS,
    HOP,
    TAIL,
    VapConfig,
    load_net,
    log_mel,
    parameter_count,
    pick_device,
    save_net,
)
from designkit.perception.audio.turn_taking import TurnTakingNet as Net
from designkit.training import dialogues as data
from designkit.training import model_card as card
from designkit.training.config import HEAD_WEIGHTS, QUICK, REPO_MODELS, TrainConfig
from designkit.training.targets import targets

logger = logging.getLogger(__name__)

def features(audio: npt.NDArray[np.float32], config: VapConfig) -> npt.NDArray[np.float32]:
    """Log-mel frames of a whole recording, trimmed to whole model steps."""
    per_step = config.stack * HOP
    steps = audio.size // per_step
    padded = np.concatenate([np.zeros(TAIL, np.float32), audio[: steps * per_step].astype(np.float32)])
    return log_mel(padded, config.n_mels)


def _examples(dialogues: Sequence[data.Dialogue], config: VapConfig) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    out = []
    for dialogue in tqdm(dialogues, desc="features", leave=False):
        mels = features(dialogue.audio, config)
        steps = len(mels) // config.stack
        y, mask = targets(dialogue.truth, steps, step_s=config.step_s)
        out.append((mels[: steps * config.stack], y, mask))
    return out


def _batches(examples: list[tuple[np.ndarray, np.ndarray, np.ndarray]], config: TrainConfig,
             rng: np.random.Generator) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Random crops of `crop_s` from every dialogue (about one pass over the audio), batched."""
    model = config.model
    crop = round(config.crop_s / model.step_s)
    crops = []
    for mels, y, mask in examples:
        steps = len(y)
        for _ in range(max(1, steps // crop)):
            start = int(rng.integers(0, max(1, steps - crop + 1)))
            end = min(steps, start + crop)
            if end - start == crop:
                crops.append((mels[start * model.stack : end * model.stack], y[start:end], mask[start:end]))
    order = rng.permutation(len(crops))
    batches = []
    for first in range(0, len(order), config.batch):
        chosen = [crops[i] for i in order[first : first + config.batch]]
        batches.append(tuple(torch.from_numpy(np.stack([c[j] for c in chosen])) for j in range(3)))
    return batches  # type: ignore[return-value]


def _loss(logits: torch.Tensor, y: torch.Tensor, mask: torch.Tensor, config: TrainConfig) -> torch.Tensor:
    weights = torch.tensor([HEAD_WEIGHTS[h] for h in HEADS], device=logits.device)
    pos_weight = torch.ones(len(HEADS), device=logits.device)
    pos_weight[HEADS.index("bc")] = config.bc_pos_weight
    per = torch.nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="none",
                                                               pos_weight=pos_weight)
    per = per * mask * weights
    return per.sum() / (mask * weights).sum().clamp_min(1.0)


def fit(config: TrainConfig, dialogues: Sequence[data.Dialogue], *, device: str = "auto") -> tuple[Net, dict[str, Any]]:
    """Train a fresh network on `dialogues`; returns it (on the CPU, eval mode) and a log."""
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    try:
        return _fit(config, dialogues, device)
    finally:
        torch.set_num_threads(previous_threads)


def _fit(config: TrainConfig, dialogues: Sequence[data.Dialogue], device: str) -> tuple[Net, dict[str, Any]]:
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    target = pick_device(device)
    net = Net(config.model).to(target)
    examples = _examples(dialogues, config.model)
    optimiser = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=1e-4)
    batches_per_epoch = len(_batches(examples, config, np.random.default_rng(0)))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config.lr,
                                                   total_steps=max(1, config.epochs * batches_per_epoch))
    history = []
    started = time.perf_counter()
    net.train()
    for epoch in tqdm(range(config.epochs), desc="epochs"):
        total, count = 0.0, 0
        for mels, y, mask in _batches(examples, config, rng)[:batches_per_epoch]:
            logits, _ = net(mels.to(target))
            loss = _loss(logits, y.to(target), mask.to(target), config)
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += loss.item()
            count += 1
        history.append(total / max(1, count))
        logger.info("epoch %d loss %.4f", epoch, history[-1])
    net = net.to("cpu").eval()
    log = {"loss_per_epoch": [round(v, 5) for v in history], "train_seconds": round(time.perf_counter() - started, 1),
           "device": target.type, "threads": torch.get_num_threads(), "parameters": parameter_count(net),
           "dialogues": len(dialogues), "audio_hours": round(sum(d.audio.size for d in dialogues) / SAMPLE_RATE / 3600, 3)}
    return net, log


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m designkit.training train", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run (writes to --out or a temp dir)")
    parser.add_argument("--out", type=Path, default=None, help=f"where to write (default {REPO_MODELS})")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--evaluate-only", action="store_true",
                        help="score the weights in --out again and rewrite the card (no training)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = QUICK if args.quick else TrainConfig()
    if args.epochs is not None:
        config = replace(config, epochs=args.epochs)
    out = args.out or (Path(os.environ.get("TMPDIR", "/tmp")) / "designkit-vap-quick" if args.quick else REPO_MODELS)
    if args.evaluate_only:
        return _evaluate_only(config, out)
    started = time.perf_counter()
    train_set = data.load(config.train)
    held_out = data.load(config.held_out)
    generated_s = time.perf_counter() - started
    net, log = fit(config, train_set, device=args.device)
    log["data_seconds"] = round(generated_s, 1)
    table = card.evaluate(net, held_out)
    log["total_seconds"] = round(time.perf_counter() - started, 1)
    path = save_net(net, out / "vap.pt", meta={"train": log, "config": config.to_dict()})
    _write(out, config, log, table)
    size_mb = path.stat().st_size / 2**20
    logger.info("wrote %s (%.2f MB) in %.0f s", path, size_mb, log["total_seconds"])
    if not math.isfinite(log["loss_per_epoch"][-1]):
        raise SystemExit("training diverged (loss is not finite)")
    return 0


def _write(out: Path, config: TrainConfig, log: dict[str, Any], table: dict[str, Any], *,
           keep_imported: bool = False) -> None:
    """Weights' companions. Scores on imported recordings are kept only when the weights did not
    change (`--evaluate-only`); after training they would describe the old model."""
    previous = out / "evaluation.json"
    imported = json.loads(previous.read_text()).get("imported") if keep_imported and previous.exists() else None
    evaluation: dict[str, Any] = {"train": log, "held_out": table}
    if imported:
        evaluation["imported"] = imported
    (out / "train_config.json").write_text(json.dumps(config.to_dict(), indent=2) + "\n")
    previous.write_text(json.dumps(evaluation, indent=2) + "\n")
    (out / "MODEL_CARD.md").write_text(card.render(config, log, table, imported=imported))


def _evaluate_only(config: TrainConfig, out: Path) -> int:

    path = out / "vap.pt"
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    log = dict(checkpoint["meta"]["train"])
    table = card.evaluate(load_net(path), data.load(config.held_out))
    _write(out, config, log, table, keep_imported=True)
    logger.info("re-scored %s on %d held-out dialogues", path, table["dialogues"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
