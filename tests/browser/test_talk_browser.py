"""Talking back in real Chromium with the real models: the microphone asks a spoken question, the
conversation agent hears the words (Whisper tiny.en), answers it with the packaged language model
after the turn end, says so in its listening line, and its kept session replays from the log's
answers to the live decisions. How fast it answers is the `talkback` benchmark's (first_word_p50_s)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import harness
import talk_live


def test_the_agent_hears_the_question_and_answers_it_in_words(lab: Any, browser_work: Path,
                                                               artifacts: Path) -> None:
    from designkit.agents.conversation import talk_installed

    assert talk_installed()  # `make test` installs the talk extra and the model's wheel
    # 20 s of quiet after the question: on a loaded 2-core box hearing, writing and voicing took ~12 s.
    asked = talk_live.questions_wav(browser_work / "questions.wav", talk_live.QUESTIONS[:1], gap_s=20.0)
    with harness.chromium(asked.wav) as browser:
        run = talk_live.talk(browser, lab.url, lab.root, asked)
    (artifacts / "talk-exchanges.txt").write_text("\n".join(e.line() for e in run.exchanges) + "\n")
    assert "hears words with whisper-tiny.en, answers with SmolLM2" in run.listening
    assert [e.question for e in run.exchanges] == list(asked.questions)
    for exchange, (_, topic) in zip(run.exchanges, talk_live.QUESTIONS, strict=False):
        assert any(word in exchange.heard.lower() for word in topic), exchange  # it heard the words
        assert exchange.answer and not math.isnan(exchange.first_word_s), exchange  # and answered after
        assert exchange.first_word_s > 0
    # Why did it say that: hovering the answer's line reads the reason, what it heard and the prompt.
    hover = next(s["hover"] for s in run.said if s["reason"] == "speak:turn_end")
    assert hover.startswith("why: speaks: the person finished (sure ") and "heard a question)" in hover, hover
    assert f"heard: “{run.exchanges[0].heard}”" in hover and "prompt (SmolLM2" in hover, hover
    assert talk_live.replay_equals_live(run.folder)
