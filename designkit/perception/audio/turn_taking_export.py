"""Export the trained turn-taking network (`vap.pt`) to the ONNX graph that live sessions run.

The graph is written with `onnx.helper` from the checkpoint's weights, op by op, rather than traced:
projection (MatMul + Add + Relu) -> ONNX `GRU` (linear_before_reset=1, torch's gate order r,z,n
moved to ONNX's z,r,h) -> heads (MatMul + Add). Inputs `x` (steps, batch, stack * n_mels) and
`h0` (1, batch, hidden); outputs `logits` (steps, batch, 7) and `h` (1, batch, hidden), so one
graph serves streaming steps (state in, state out) and whole sessions. The checkpoint's config
and the SHA-256 of the `.pt` file ride along as metadata, so a stale export is easy to spot.

    python -m designkit.training export-onnx       # models/vap/vap.pt -> vap.onnx

Needs torch (to read the checkpoint) and onnx (to write the graph): the `models` and `voices`
extras. Running the graph needs only onnxruntime.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from designkit import weights
from designkit.errors import MissingExtraError

logger = logging.getLogger(__name__)

OPSET = 17
PRODUCER = "designkit.turn_taking_export"


def _onnx() -> Any:
    try:
        import onnx
    except ImportError as exc:
        raise MissingExtraError("onnx", "voices") from exc
    return onnx


def build_model(net: Any, *, source_sha256: str = "") -> Any:
    """The ONNX ModelProto of a `TurnTakingNet` (float32 weights)."""
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    state = {k: v.detach().to("cpu").float().numpy() for k, v in net.state_dict().items()}
    config = net.config
    hidden = config.hidden
    features = config.n_mels * config.stack
    order = np.concatenate([np.arange(hidden, 2 * hidden), np.arange(hidden), np.arange(2 * hidden, 3 * hidden)])
    inits = {
        "proj_w": state["proj.weight"].T,
        "proj_b": state["proj.bias"],
        "gru_w": state["gru.weight_ih_l0"][order][None],
        "gru_r": state["gru.weight_hh_l0"][order][None],
        "gru_b": np.concatenate([state["gru.bias_ih_l0"][order], state["gru.bias_hh_l0"][order]])[None],
        "heads_w": state["heads.weight"].T,
        "heads_b": state["heads.bias"],
        "axis1": np.array([1], np.int64),
    }
    nodes = [
        helper.make_node("MatMul", ["x", "proj_w"], ["p0"]),
        helper.make_node("Add", ["p0", "proj_b"], ["p1"]),
        helper.make_node("Relu", ["p1"], ["p2"]),
        helper.make_node("GRU", ["p2", "gru_w", "gru_r", "gru_b", "", "h0"], ["y", "h"],
                         hidden_size=hidden, linear_before_reset=1),
        helper.make_node("Squeeze", ["y", "axis1"], ["y2"]),
        helper.make_node("MatMul", ["y2", "heads_w"], ["l0"]),
        helper.make_node("Add", ["l0", "heads_b"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes, "turn_taking",
        inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, ["steps", "batch", features]),
                helper.make_tensor_value_info("h0", TensorProto.FLOAT, [1, "batch", hidden])],
        outputs=[helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["steps", "batch", 7]),
                 helper.make_tensor_value_info("h", TensorProto.FLOAT, [1, "batch", hidden])],
        initializer=[numpy_helper.from_array(np.ascontiguousarray(v), name=k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name=PRODUCER)
    model.ir_version = min(model.ir_version, 8)  # readable by onnxruntime >= 1.14
    helper.set_model_props(model, {"config": json.dumps(config.to_dict()), "source_sha256": source_sha256})
    onnx.checker.check_model(model)
    return model


def export_bytes(net: Any, *, source_sha256: str = "") -> bytes:
    """The serialised graph, for onnxruntime to load from memory (no file needed)."""
    data: bytes = build_model(net, source_sha256=source_sha256).SerializeToString()
    return data


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export(checkpoint: str | Path | None = None, out: str | Path | None = None) -> Path:
    """Write `vap.onnx` beside the checkpoint (default: the packaged `vap.pt`)."""
    from designkit.perception.audio.turn_taking_net import load_net

    source = weights.resolve("vap", path=checkpoint)
    target = Path(out) if out is not None else source.with_suffix(".onnx")
    target.write_bytes(export_bytes(load_net(source), source_sha256=sha256(source)))
    logger.info("wrote %s (%.2f MB) from %s", target, target.stat().st_size / 2**20, source)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m designkit.training export-onnx",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, default=None, help="a vap.pt (default: the packaged one)")
    parser.add_argument("--out", type=Path, default=None, help="where to write (default: beside the checkpoint)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    export(args.checkpoint, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
