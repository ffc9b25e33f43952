"""What a turn-taking training run depends on: data sets, model shape, optimiser, loss weights.

Written next to the weights (`train_config.json`), so a model card always says what made it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from designkit.perception.audio.turn_taking import VapConfig
from designkit.training import dialogues as data

REPO_MODELS = Path(__file__).resolve().parents[2] / "models" / "vap"
HEAD_WEIGHTS = {"vap_200ms": 1.0, "vap_400ms": 1.0, "vap_600ms": 1.0, "vap_800ms": 1.0,
                "eot": 3.0, "bc": 1.0, "vad_now": 1.0}


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Everything a training run depends on; written next to the weights."""

    train: data.DialogueSet = field(default_factory=lambda: data.TRAIN)
    held_out: data.DialogueSet = field(default_factory=lambda: data.HELD_OUT)
    model: VapConfig = field(default_factory=VapConfig)
    epochs: int = 40
    batch: int = 24
    crop_s: float = 12.0
    lr: float = 3e-3
    seed: int = 0
    threads: int = 1  # small recurrent batches train fastest on one thread (and share the machine)
    bc_pos_weight: float = 4.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["train"] = self.train.to_dict()
        out["held_out"] = self.held_out.to_dict()
        out["model"] = self.model.to_dict()
        return out


QUICK = TrainConfig(train=data.TRAIN.replace(per_variant=1, snrs=(None,), contexts=("focused",)),
                    held_out=data.HELD_OUT.replace(per_variant=1, snrs=(10.0,), contexts=("focused",)), epochs=2)
