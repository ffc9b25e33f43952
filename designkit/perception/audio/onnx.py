"""The one way designkit opens an ONNX model: onnxruntime on the CPU, threads set by the caller."""

from __future__ import annotations

import functools
from typing import Any

from designkit.errors import MissingExtraError


@functools.lru_cache(maxsize=8)
def onnx_session(path: str, *, threads: int = 1) -> Any:
    """An `onnxruntime.InferenceSession` for `path` with one inter-op thread and `threads`
    intra-op threads (many small models side by side scale better than one greedy one). One session
    per (path, threads) in a process: onnxruntime sessions are safe to share between threads."""
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise MissingExtraError("onnxruntime", "models") from exc
    options = ort.SessionOptions()
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
