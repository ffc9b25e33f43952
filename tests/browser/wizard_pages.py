"""Two pages of one JupyterLab for Wizard-of-Oz tests and benchmarks: the participant's notebook
(the live session, nothing else) and the operator's notebook (a WizardConsole attached by name)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import harness
import offline

ROOM = "wizard-bench"
PALETTE = ("Mm-hm.", "Tell me more.", "I see.", "Go on.", "Right.", "Okay.", "Really?", "Yes.", "Thanks.")
CONSOLE_STATE = "(globalThis.__designkitWizard || []).at(-1)"
# What an operator control looks like in a page: a part of the console, one of the old operator
# buttons, or a button named like an operator action (the labels of `OperatorAction`). And what
# gives the operator away in the live widget: the words "operator" or "wizard" in its text or in
# any attribute (the legend's keys, tooltips), and in the points its strip and hover draw from.
OPERATOR_CONTROLS = """(labels) => {
  const parts = document.querySelectorAll('[class*="dkw-"], [class*="dk-wizard"]').length;
  const named = [...document.querySelectorAll('button, [role=button]')]
    .map((b) => b.textContent.trim().toLowerCase()).filter((text) => labels.includes(text));
  const words = [];
  const telling = /operator|wizard/i;
  for (const root of document.querySelectorAll('.dk-root')) {
    if (telling.test(root.innerText)) words.push(root.innerText.match(telling)[0]);
    for (const el of [root, ...root.querySelectorAll('*')]) {
      for (const a of el.attributes) if (telling.test(a.value)) words.push(`${a.name}=${a.value}`);
    }
  }
  const live = (globalThis.__designkitLive || []).at(-1);
  if (live && telling.test(JSON.stringify(live.decisions || []))) words.push('a point sent to the page');
  return {parts, buttons: named.length, named, words, live: document.querySelectorAll('.dk-root').length};
}"""


def notebook(path: Path, source: str) -> Path:
    return offline.notebook(path, [source])


# The participant's engine: loudness VAD, the pause proposer, a policy whose attention budget the
# operator's lines do not use up (they count as interventions too).
ENGINE = ("Engine([EnergyVAD()], Policy(budget_per_min=30, min_gap_s=1.0), proposer=PauseProposer())")


def participant_engine() -> Any:
    from designkit.core import Engine  # noqa: F401  (names the expression uses)
    from designkit.perception.audio.energy import EnergyVAD  # noqa: F401
    from designkit.policy import Policy  # noqa: F401
    from designkit.widgets import PauseProposer  # noqa: F401

    return eval(ENGINE)


def participant_notebook(path: Path, *, log_dir: Path, mode: str = "full", veto_ms: float = 600,
                         on_timeout: str = "approve", on_detach: str = "policy", room: str = ROOM) -> Path:
    return notebook(path, (
        "from designkit.core import Engine\n"
        "from designkit.perception.audio.energy import EnergyVAD\n"
        "from designkit.policy import Policy\n"
        "from designkit.widgets import LiveSession, PauseProposer\n"
        "from designkit.widgets.wizard_desk import WizardSettings\n"
        f"settings = WizardSettings(mode={mode!r}, veto_ms={veto_ms!r}, on_timeout={on_timeout!r}, "
        f"on_detach={on_detach!r}, palette={PALETTE!r})\n"
        f"session = LiveSession({ENGINE}, log_dir={str(log_dir)!r}, name={room!r}, wizard=settings)\n"
        "display(session)\n"))


def console_notebook(path: Path, room: str = ROOM) -> Path:
    return notebook(path, "from designkit.widgets.wizard_console import WizardConsole\n"
                          f"WizardConsole({room!r})\n")


def open_participant(page: Any, lab: Any, name: str) -> None:
    page.goto(f"{lab.url}/lab/tree/{name}?reset")
    harness.run_all_cells(page)
    harness.wait_allow(page)
    page.check(".dk-keep-audio")
    page.click(".dk-allow >> visible=true")
    harness.wait_live(page, "s.replies >= 5")


def open_console(page: Any, lab: Any, name: str, *, status: str = "operator") -> None:
    page.goto(f"{lab.url}/lab/tree/{name}?reset")
    harness.run_all_cells(page)
    wait_console(page, f"s.status === {status!r}" + (" && s.hello !== null" if status == "operator" else ""),
                 timeout_ms=120_000)
    page.click(".dkw-header")  # focus the console: its hotkeys, not JupyterLab's


def console_state(page: Any, expression: str = "s") -> Any:
    return page.evaluate(f"() => {{ const s = {CONSOLE_STATE}; return s ? ({expression}) : null; }}")


def wait_console(page: Any, condition: str, *, timeout_ms: float = 60_000) -> None:
    page.wait_for_function(f"() => {{ const s = {CONSOLE_STATE}; return !!s && ({condition}); }}",
                           timeout=timeout_ms, polling=50)


def press_to_voice_ms(presses: list[dict[str, Any]], starts: list[float]) -> list[float]:
    """For each key press (ms since the epoch, operator page), the first utterance start on the
    participant's page after it (same machine, same wall clock), in ms."""
    out = []
    for press in presses:
        later = [s for s in starts if s > press["at"]]
        if later:
            out.append(min(later) - press["at"])
    return out


def sees_no_operator(seen: dict[str, Any]) -> bool:
    """The participant's page shows the agent and nothing of the operator (`operator_controls`)."""
    return bool(seen["live"] >= 1 and seen["parts"] == 0 and seen["buttons"] == 0 and not seen["words"])


def operator_controls(page: Any) -> dict[str, Any]:
    from designkit.core.wizard import OperatorAction

    labels = sorted({a.label.lower() for a in OperatorAction} | {"yield", "say"})
    return page.evaluate(OPERATOR_CONTROLS, labels)  # type: ignore[no-any-return]
