"""Benchmark `live_agents`: the four agents live in real Chromium + JupyterLab (and Voilà), fake media.

- conversation (Silero VAD + the turn-taking model on the microturn path, spoken WAV as the mic):
  `roundtrip_p95_ms` (JupyterLab) and `voila_roundtrip_p95_ms` (Voilà), chunk sent -> decision
  received in the page, first second left out; `kernel_step_p95_ms`, the kernel's handler time per
  chunk (frame + perceive + decide + log + voice); where the round trip goes (up/kernel/down).
- `dropped_microturns`: over every run, chunks sent that did not become a full microturn plus
  microturns with a logged audio gap.
- breathing coach 4-2-6 (quiet mic): `timespeak_live_hit_rate`, cues audible in the page (Web Audio
  start time on the capture timeline) within ±200 ms of the schedule.
- language coach (learners' WAVs, Spanish with switches, seeds 1-2 quick, 1-5 full):
  `code_switch_live_f1` (CueSpeak, 3 s window, micro-averaged over the WAVs) of the agent's
  corrections in the log against the WAVs' switch times (aligned by the kept audio).
- exercise coach (a Y4M workout as the camera, N reps): `reps_live_obo`, share of videos whose last
  count said (and shown) in the first pass of the video is N ± 1.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "browser"))

import agent_media  # noqa: E402
import harness  # noqa: E402
from live import _dropped, _summary  # noqa: E402

NAME = "live_agents"
STATE = ("({sent: s.sent, staleFrames: s.staleFrames || 0, counts: s.counts, rtts: s.rtts, said: s.said || [],"
         " onsets: s.voice.onsets, pieces: s.voice.pieces,"
         " breakdown: s.breakdown.map(b => [b.rtt, b.kernel_ms, b.t_recv, b.t_back])})")


def run_live(page: Any, seconds: float, *, keep_audio: bool = False) -> dict[str, Any]:
    """Allow, stream `seconds` of microturns, collect the page's state, revoke."""
    if keep_audio:
        page.check(".dk-keep-audio")
    page.click(".dk-allow >> visible=true")
    harness.wait_live(page, "s.replies >= 5")
    target = int(seconds / 0.2)
    harness.wait_live(page, f"s.replies >= {target}", timeout_ms=int(seconds * 1000 * 3) + 30_000)
    data: dict[str, Any] = harness.live_state(page, STATE)
    page.click(".dk-revoke >> visible=true")
    return data


def folder_of(log_dir: Path) -> Path:
    folder = next(p for p in log_dir.iterdir() if p.is_dir())
    harness.wait_for(lambda: (folder / "recording.json").is_file(), timeout=30, what="the log to close")
    return folder


def open_lab(browser: Any, server: Any, root: Path, name: str, agent: str, log_dir: Path) -> Any:
    harness.live_notebook(root / f"{name}.ipynb", log_dir=log_dir, agent=agent, name=name)
    page = harness.new_page(browser)
    page.goto(f"{server.url}/lab/tree/{name}.ipynb?reset")
    harness.run_all_cells(page)
    harness.wait_allow(page, timeout_ms=180_000)
    return page


def timespeak_hits(onsets: list[float], seconds: float) -> Any:
    from designkit.agents.breathing import BreathingProposer
    from designkit.metrics.timespeak import timespeak

    targets = [t for t, _ in BreathingProposer((4.0, 2.0, 6.0), start_s=1.0).targets(seconds - 1.0)]
    return timespeak(targets=targets, onsets=[o for o in onsets if o < seconds], duration_s=seconds, tol=0.2)


def code_switch_f1(folder: Path, learner: agent_media.Learner) -> Any:
    from designkit.audio.wav import read_wav
    from designkit.log import read_log
    from designkit.metrics.cuespeak import cuespeak

    offset = agent_media.align(read_wav(folder / "audio.wav"), learner.audio)
    frame = read_log(folder / "log.parquet").frame
    said = frame[frame["action"].isin(["speak", "interrupt"])]
    onsets = [float(t + dt - offset) for t, dt in zip(said["t"], said["dt"], strict=True)]
    onsets = [t for t in onsets if t < learner.duration]
    return cuespeak(cues=learner.switch_times, interventions=onsets), offset, onsets


def last_count(said: list[dict[str, Any]], before_s: float) -> int:
    counts = [int(s["content"].strip("!. ")) for s in said
              if s["t"] < before_s and s["content"].strip("!. ").isdigit()]
    return max(counts, default=0)


def run(quick: bool) -> Iterator[dict[str, Any]]:
    conv_s, voila_s = (14.0, 10.0) if quick else (60.0, 30.0)
    seeds = (1, 2) if quick else (1, 2, 3, 4, 5)
    dropped, detail = 0, {}
    with tempfile.TemporaryDirectory(prefix="designkit-agents-bench-") as tmp:
        work = Path(tmp)
        root = work / "root"
        root.mkdir()
        spoken, _ = agent_media.conversation_wav(work / "spoken.wav")
        quiet = agent_media.quiet_wav(work / "quiet.wav")
        learners = [agent_media.learner_wav(work / f"learner-{s}.wav", seed=s) for s in seeds]
        workouts = [agent_media.workout_y4m(work / f"workout-{s}.y4m", seed=s) for s in seeds]
        with harness.jupyterlab(root, work) as server:
            with harness.chromium(spoken) as browser:
                logs = root / "conv"
                page = open_lab(browser, server, root, "conversation", "conversation()", logs)
                data = run_live(page, conv_s)
                for line in _summary("", data):
                    yield line
                b = np.array(data["breakdown"][5:], dtype=float)
                yield {"metric": "kernel_step_p95_ms", "value": round(float(np.percentile(b[:, 1], 95)), 2),
                       "unit": "ms", "goal": "<= 15"}
                lost, kinds = _dropped(data, folder_of(logs))
                dropped += lost
                detail.update({f"conversation_{k}": v for k, v in kinds.items()})
                yield {"metric": "conversation_lines_said", "value": len(data["said"]), "unit": "count", "goal": "> 0",
                       "detail": [s["content"] for s in data["said"]][:12]}
                page.context.close()
            with harness.chromium(quiet) as browser:
                logs = root / "breath"
                breath_s = 20.0 if quick else 60.0
                page = open_lab(browser, server, root, "breathing", "breathing_coach('4-2-6')", logs)
                data = run_live(page, breath_s)
                result = timespeak_hits(data["onsets"], breath_s)
                yield {"metric": "timespeak_live_hit_rate", "value": round(result.hit_rate, 3), "unit": "share",
                       "goal": ">= 0.95", "detail": {"targets": result.targets, "onsets": [round(o, 3) for o in data["onsets"]],
                                                     "mean_abs_error_s": result.mean_abs_error_s}}
                lost, kinds = _dropped(data, folder_of(logs))
                dropped += lost
                detail.update({f"breathing_{k}": v for k, v in kinds.items()})
                page.context.close()
            pooled = np.zeros(3)  # hits, cues, interventions over the learners (micro-averaged F1)
            found = []
            for learner in learners:
                with harness.chromium(learner.wav) as browser:
                    logs = root / f"lang-{learner.wav.stem}"
                    page = open_lab(browser, server, root, learner.wav.stem, "language_coach('es', at_once=True)", logs)
                    data = run_live(page, learner.duration + 1.0, keep_audio=True)
                    folder = folder_of(logs)
                    result, offset, onsets = code_switch_f1(folder, learner)
                    pooled += [result.hits, result.cues, result.interventions]
                    found.append({"cues": learner.switch_times, "interventions": [round(o, 2) for o in onsets],
                                  "offset_s": offset, "f1": round(result.f1, 3)})
                    lost, kinds = _dropped(data, folder)
                    dropped += lost
                    detail.update({f"{learner.wav.stem}_{k}": v for k, v in kinds.items()})
                    page.context.close()
            precision, recall = pooled[0] / max(1.0, pooled[2]), pooled[0] / max(1.0, pooled[1])
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            yield {"metric": "code_switch_live_f1", "value": round(float(f1), 3), "unit": "f1", "goal": ">= 0.8",
                   "detail": found}
            hits, counted = 0, []
            for workout in workouts:
                flags = [f"--use-file-for-fake-video-capture={workout.y4m}"]
                with harness.chromium(quiet, extra_flags=flags) as browser:
                    logs = root / f"ex-{workout.y4m.stem}"
                    page = open_lab(browser, server, root, workout.y4m.stem, "exercise_coach('squat', aloud=True)", logs)
                    data = run_live(page, workout.duration + 1.0)
                    count = last_count(data["said"], workout.duration + 0.8)
                    counted.append({"reps": workout.reps, "counted": count, "voice_pieces": data["pieces"]})
                    hits += abs(count - workout.reps) <= 1 and data["pieces"] > 0
                    lost, kinds = _dropped(data, folder_of(logs))
                    dropped += lost
                    detail.update({f"{workout.y4m.stem}_{k}": v for k, v in kinds.items()})
                    page.context.close()
            yield {"metric": "reps_live_obo", "value": round(hits / len(workouts), 3), "unit": "share",
                   "goal": ">= 0.9", "detail": counted}
        with harness.chromium(spoken) as browser:
            vlogs = root / "vconv"
            notebook = harness.live_notebook(root / "voila.ipynb", log_dir=vlogs, agent="conversation()", name="voila")
            with harness.voila(notebook, work) as server:
                page = harness.new_page(browser)
                page.goto(server.url)
                harness.wait_allow(page, timeout_ms=180_000)
                vdata = run_live(page, voila_s)
                for line in _summary("voila_", vdata):
                    yield line
                lost, kinds = _dropped(vdata, folder_of(vlogs))
                dropped += lost
                detail.update({f"voila_{k}": v for k, v in kinds.items()})
                page.context.close()
    yield {"metric": "dropped_microturns", "value": dropped, "unit": "count", "goal": "== 0", "detail": detail}


if __name__ == "__main__":
    for line in run(quick="--quick" in sys.argv):
        print(json.dumps(line), flush=True)
