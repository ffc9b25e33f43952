"""What a study with people found: ratings per condition, paired comparisons, order, ratings beside
metrics, and what the agent did before each marker.

    table = pd.read_parquet("studies/timing-with-people/people.parquet")
    item_means(table)                                  # mean and bootstrap 95 % interval per condition
    compare(table, "interrupted", "calm", "eager")     # Wilcoxon signed-rank + rank-biserial
    order_effect(table, "interrupted")                 # first session vs second
    rating_vs_metric(table, "interrupted", "interruptions_per_min")   # Spearman, with n
    before_markers(store.sessions())                   # the agent's decisions in the 3 s before

Every test is on one value per participant (a participant's answers over several tasks are
averaged first), because participants, not sessions, are the independent units. Below
`MIN_PARTICIPANTS` every result carries a plain warning that nothing can be claimed from it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from designkit.core.decisions import Action, reason_label
from designkit.errors import InputError
from designkit.log import read_log
from designkit.study.people.storage import SessionFolder, markers_of

MIN_PARTICIPANTS = 8
RESAMPLES = 2000
BEFORE_MARKER_S = 3.0
SMALL_N = ("only {n} participants: too few to claim anything (about {min} or more are needed); "
           "read these numbers as a description of these people, not a finding")


def small_n_warning(n: int) -> str:
    """The plain warning for `n` participants, or "" when there are enough."""
    return SMALL_N.format(n=n, min=MIN_PARTICIPANTS) if n < MIN_PARTICIPANTS else ""


@dataclass(frozen=True, slots=True)
class Finding:
    """A result a person reads: `sentence()` is what it found (`text()`, said by each kind of result)
    with its small-sample warning after it, so no reader quotes one without the other."""

    warning: str = field(kw_only=True)

    def text(self) -> str:
        raise NotImplementedError

    def sentence(self) -> str:
        text = self.text()
        return f"{text}. {self.warning}" if self.warning else text


def per_participant(table: pd.DataFrame, item: str) -> pd.DataFrame:
    """participant x condition: the participant's mean answer to `item` (over tasks)."""
    rows = table[(table["item"] == item) & table["kind"].isin(["item", "score"])]
    if rows.empty:
        raise InputError("item", expected=f"one of {sorted(set(table['item']) - {'open_answer'})}", got=repr(item))
    return rows.pivot_table(index="participant", columns="condition", values="value", aggfunc="mean")


def bootstrap_mean(values: np.ndarray, *, resamples: int = RESAMPLES, seed: int = 0) -> tuple[float, float]:
    """The 95 % percentile bootstrap interval of the mean of `values` (one per participant):
    `resamples` draws of the participants with replacement (Efron & Tibshirani 1993, ch. 13)."""
    values = np.asarray(values, dtype=np.float64)
    if resamples < RESAMPLES:
        raise InputError("bootstrap resamples", expected=f">= {RESAMPLES}", got=resamples)
    if len(values) == 0:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    draws = values[rng.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(low), float(high)


def item_means(table: pd.DataFrame, *, resamples: int = RESAMPLES, seed: int = 0) -> pd.DataFrame:
    """Per item and condition: participants, mean, bootstrap 95 % interval (participants resampled,
    fixed seed), whether the item is reversed (agreeing is bad), and the small-n warning."""
    rows = []
    answered = table[table["kind"].isin(["item", "score"])]
    for item in dict.fromkeys(answered["item"]):
        wide = per_participant(table, item)
        reversed_ = bool(answered.loc[answered["item"] == item, "reversed"].any())
        for condition in wide.columns:
            values = wide[condition].dropna().to_numpy()
            low, high = bootstrap_mean(values, resamples=resamples, seed=seed)
            rows.append({"item": item, "condition": condition, "n": len(values),
                         "mean": float(values.mean()) if len(values) else math.nan, "low": low, "high": high,
                         "reversed": reversed_, "warning": small_n_warning(len(values))})
    return pd.DataFrame(rows, columns=["item", "condition", "n", "mean", "low", "high", "reversed", "warning"])


@dataclass(frozen=True, slots=True)
class Paired(Finding):
    """A paired comparison of `a` and `b` on one item: Wilcoxon signed-rank on the per-participant
    differences a - b (`scipy.stats.wilcoxon`, zero differences dropped) and the matched-pairs
    rank-biserial correlation (Kerby 2014, "The simple difference formula", Comprehensive
    Psychology 3: r = (sum of ranks of positive differences - sum of ranks of negative ones) /
    sum of all ranks, ranks of |a - b| over the non-zero differences); r > 0: `a` rated higher."""

    item: str
    a: str
    b: str
    n: int
    mean_a: float
    mean_b: float
    statistic: float
    p: float
    rank_biserial: float

    def text(self) -> str:
        return (f"{self.item}: {self.a} {self.mean_a:.2f} vs {self.b} {self.mean_b:.2f} "
                f"(n = {self.n}, Wilcoxon W = {self.statistic:g}, p = {self.p:.3f}, "
                f"rank-biserial r = {self.rank_biserial:+.2f})")


def rank_biserial(differences: np.ndarray) -> float:
    """The matched-pairs rank-biserial correlation of paired differences (see `Paired`)."""
    from scipy.stats import rankdata

    d = np.asarray(differences, dtype=np.float64)
    d = d[d != 0]
    if len(d) == 0:
        return 0.0
    ranks = rankdata(np.abs(d))
    return float((ranks[d > 0].sum() - ranks[d < 0].sum()) / ranks.sum())


def paired_test(item: str, a: str, b: str, x: np.ndarray, y: np.ndarray) -> Paired:
    """`Paired` of the per-participant values `x` (condition or session `a`) and `y` (`b`)."""
    from scipy.stats import wilcoxon

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(x)
    if n == 0 or np.all(x == y):
        statistic, p = math.nan, math.nan
    else:
        result = wilcoxon(x, y)
        statistic, p = float(result.statistic), float(result.pvalue)
    return Paired(item, a, b, n, float(x.mean()) if n else math.nan, float(y.mean()) if n else math.nan,
                  statistic, p, rank_biserial(x - y), warning=small_n_warning(n))


def compare(table: pd.DataFrame, item: str, a: str, b: str) -> Paired:
    """Condition `a` against `b` on `item`, over participants who rated both."""
    wide = per_participant(table, item)
    for name in (a, b):
        if name not in wide.columns:
            raise InputError("condition", expected=f"one of {list(wide.columns)}", got=repr(name))
    both = wide[[a, b]].dropna()
    return paired_test(item, a, b, both[a].to_numpy(), both[b].to_numpy())


def order_effect(table: pd.DataFrame, item: str) -> Paired:
    """First session against second on `item`, whatever the condition (a learning or tiring effect)."""
    rows = table[(table["item"] == item) & table["kind"].isin(["item", "score"])]
    wide = rows.pivot_table(index="participant", columns="position", values="value", aggfunc="mean")
    if not {1, 2} <= set(wide.columns):
        raise InputError("sessions", expected="first and second sessions rated", got=sorted(wide.columns))
    both = wide[[1, 2]].dropna()
    return paired_test(item, "first", "second", both[1].to_numpy(), both[2].to_numpy())


@dataclass(frozen=True, slots=True)
class Correlation(Finding):
    """Spearman's rank correlation of a rating and a session metric over sessions
    (`scipy.stats.spearmanr`), with the number of sessions and of participants behind it."""

    item: str
    metric: str
    n_sessions: int
    n_participants: int
    rho: float
    p: float

    def text(self) -> str:
        return (f"'{self.item}' against {self.metric}: Spearman rho = {self.rho:+.2f}, p = {self.p:.3f} "
                f"(n = {self.n_sessions} sessions of {self.n_participants} participants)")


def rating_vs_metric(table: pd.DataFrame, item: str, metric: str) -> Correlation:
    """Does the rating follow what the agent did? One point per rated session."""
    from scipy.stats import spearmanr

    if metric not in table.columns:
        raise InputError("session metric", expected="a metric column of the people table", got=repr(metric))
    rows = table[(table["item"] == item) & table["kind"].isin(["item", "score"])]
    sessions = rows.groupby(["participant", "condition", "task"], sort=False).agg(
        value=("value", "mean"), metric=(metric, "first")).dropna()
    people = int(sessions.index.get_level_values("participant").nunique())
    if len(sessions) < 3 or sessions["value"].nunique() < 2 or sessions["metric"].nunique() < 2:
        rho, p = math.nan, math.nan
    else:
        result = spearmanr(sessions["value"], sessions["metric"])
        rho, p = float(result.statistic), float(result.pvalue)
    return Correlation(item, metric, len(sessions), people, rho, p, warning=small_n_warning(people))


def before_markers(sessions: Sequence[tuple[SessionFolder, int]], *, window_s: float = BEFORE_MARKER_S
                   ) -> pd.DataFrame:
    """Every marker with what the agent did in the `window_s` before it: the last decision that
    acted (spoke, backchannelled, interrupted, yielded, ...) or withheld a proposal, with its reason,
    confidence and the pause it followed, said in a sentence; and all such decisions in the window."""
    rows = []
    for folder, position in sessions:
        path = folder.log_path()
        found = markers_of(path)
        if not found:
            continue
        frame = read_log(path).frame  # type: ignore[arg-type]  # found markers mean a log
        dt = float(frame["dt"].iloc[0])
        for marker in found:
            start = marker.t - window_s
            # a decision of microturn k takes effect at (k + 1) dt: only those the person had met
            effect = (frame["index"] + 1) * dt
            window = frame[(effect <= marker.t + 1e-9) & (effect > start)]
            acted = window[(window["action"] != Action.SILENT.value) & (window["action"] != Action.CONTINUE.value)
                           | ((window["action"] == Action.SILENT.value)
                              & (window["proposal_action"] != Action.SILENT.value))]
            said, last = _describe(frame, acted, marker.t, dt)
            rows.append({"participant": folder.participant, "condition": folder.condition, "position": position,
                         "task": folder.task, "microturn": marker.microturn, "t": marker.t, "note": marker.note,
                         "by": marker.by, **last, "said": said,
                         "decisions": [f"{(k + 1) * dt - marker.t:+.1f} s {a} ({r})" for k, a, r in
                                       zip(acted["index"], acted["action"], acted["reason"], strict=True)]})
    columns = ["participant", "condition", "position", "task", "microturn", "t", "note", "by", "action", "reason",
               "confidence", "seconds_before", "after_pause_s", "said", "decisions"]
    return pd.DataFrame(rows, columns=columns)


def _describe(frame: pd.DataFrame, acted: pd.DataFrame, t: float, dt: float) -> tuple[str, dict[str, Any]]:
    if acted.empty:
        empty = {"action": "", "reason": "", "confidence": math.nan, "seconds_before": math.nan,
                 "after_pause_s": math.nan}
        return "the agent did nothing and proposed nothing in the 3 s before", empty
    row = acted.iloc[-1]
    k = int(row["index"])
    effect = (k + 1) * dt
    spoken = frame.loc[frame["index"] <= k, ["index", "user_speaking"]]
    speaking = spoken[spoken["user_speaking"].astype(bool)]
    if len(speaking) and int(speaking["index"].iloc[-1]) == k:
        pause: float = 0.0
        when = "while the person was speaking"
    elif len(speaking):
        pause = effect - (int(speaking["index"].iloc[-1]) + 1) * dt
        when = f"{pause:.1f} s after a pause began"
    else:
        pause, when = math.nan, "before the person had spoken"
    action = str(row["action"])
    withheld = action == Action.SILENT.value
    what = f"held back a '{row['proposal_action']}'" if withheld else _ACTION_WORDS.get(action, action)
    confidence = float(row["proposal_confidence"] if withheld else row["confidence"])
    before = round(t - effect, 9) + 0.0  # + 0.0: a float's -0.0 reads as "0.0"
    ago = f"{before:.1f} s before the marker" if before >= 0.05 else "just before the marker"
    said = (f"it {what} {ago}, {when}; reason: {reason_label(str(row['reason']))}, "
            f"confidence {confidence:.2f}")
    return said, {"action": action, "reason": str(row["reason"]), "confidence": confidence,
                  "seconds_before": before, "after_pause_s": pause}


_ACTION_WORDS = {Action.SPEAK.value: "spoke", Action.BACKCHANNEL.value: "backchannelled",
                 Action.INTERRUPT.value: "interrupted", Action.CAPTION.value: "showed a caption",
                 Action.ASK.value: "asked first", Action.YIELD.value: "stopped talking"}

