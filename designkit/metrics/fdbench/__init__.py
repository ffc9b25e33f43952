"""Full-Duplex-Bench v1/v1.5 compatible scoring: one pure function per task (`tasks`) and the
scoring of example folders laid out as the benchmark's (`folder`, behind `designkit evaluate`)."""

from designkit.metrics.fdbench.folder import TASKS, evaluate_folder, infer_task, score_example, vad_segments

__all__ = ["TASKS", "evaluate_folder", "infer_task", "score_example", "vad_segments"]
