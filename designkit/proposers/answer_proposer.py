"""Offer the answers in words to the policy: when to say the answer `AnswerWriter` wrote (`answer.py`).

`AnswerProposer` turns the landed answer into proposals: at a turn end whose answer is not
ready it offers a wish to answer (`THINKING_SOURCE`: the policy's `thinking` knob decides what
the agent does meanwhile); once the answer is ready it offers the sentence (`ANSWER_SOURCE`),
with the turn end's confidence, and each next part as the one before it ends, while the person
stays silent (`ANSWER_MORE_SOURCE`: the policy says it as `speak:goes_on`, which the attention
budget does not count again); talking over the agent stops the answer (the yield rules apply).
Backchannels of the inner proposer pass through while the person speaks; from their pause to
the answer the policy's `thinking` knob alone decides what the agent says.

A turn ends where the inner turn-end proposer says so (the turn-taking model's `eot`), or where
the words heard asked a question (`question_confidence`).

    writer = AnswerWriter(Words(), GGUFModel(), SileroVAD(), persona=Persona("You are a cook."))
    proposer = AnswerProposer(writer, TurnTakingProposer())
"""

from __future__ import annotations

from dataclasses import dataclass, field

from designkit.core.context import Context
from designkit.core.decisions import NOTHING, Action, Proposal
from designkit.core.protocols import Proposer
from designkit.errors import InputError
from designkit.policy.thinking import ANSWER_MORE_SOURCE, ANSWER_SOURCE, THINKING_SOURCE
from designkit.proposers.answer import AnswerWriter, Landed

# A question heard ("…?") hands the turn over: on the talkback benchmark's questions the turn-taking
# model stayed below the policy's 0.5 for 0.3 to 3.9 s after some of them while the answer was ready.
# Below the policy's sure turn end (0.93), so the answer still waits the pause.
QUESTION_CONFIDENCE = 0.9


@dataclass(slots=True)
class AnswerProposer:
    """Offers the writer's answers at turn ends (see the module docstring); `inner` finds the turn ends.

    `inner` is a turn-end proposer (`TurnTakingProposer`): its `SPEAK` proposals mark a turn end
    and give the confidence; its backchannels pass through while the person speaks, unless the
    turn end is likelier (`eot` at least the backchannel's confidence). The confidence of a turn
    end is held while the user stays silent, so an answer that lands after a thinking sound is
    still offered, and so are its next sentences, each as the one before it ends.

    `question_confidence`: how sure a turn end is once the words heard ask a question ("…?"), when
    the turn-taking model is less sure (None: the model alone). At the default 0.9 a ready answer
    to a question is said at the policy's pause instead of waiting for the model; a policy whose
    confidence threshold is above it still waits.
    """

    writer: AnswerWriter
    inner: Proposer
    eot_column: str = "eot"
    question_confidence: float | None = QUESTION_CONFIDENCE
    _confidence: float = field(default=0.0, repr=False)
    _answered_turn: int = field(default=-1, repr=False)
    _said_part: int = field(default=-1, repr=False)
    _spoke_at: int = field(default=-1, repr=False)
    _answered_spoke_at: int = field(default=-1, repr=False)
    _offered: tuple[int, int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        sure = self.question_confidence
        wrong = isinstance(sure, bool) or not isinstance(sure, int | float) or not 0.0 <= sure <= 1.0
        if sure is not None and wrong:
            raise InputError("question_confidence", expected="a confidence from 0 to 1, or None (off)", got=sure)

    def reset(self) -> None:
        self.inner.reset()
        self._confidence = 0.0
        self._answered_turn = -1
        self._said_part = -1
        self._spoke_at = -1
        self._answered_spoke_at = -1
        self._offered = None

    def propose(self, context: Context) -> Proposal:
        # An answer's sentence is used up once the policy let the agent say it (an intervention at
        # the end of the last microturn); a withheld one is offered again. Then its next sentence,
        # and nothing more until the user speaks.
        if self._offered is not None and context.since_intervention_s <= context.dt + 1e-9:
            turn, part = self._offered
            if turn > self._answered_turn or part > self._said_part:
                self._answered_turn, self._said_part = turn, part
            self._answered_spoke_at = self._spoke_at
        self._offered = None
        if context.user_speaking:
            self._confidence = 0.0
            self._spoke_at = context.index
        following = self._next_sentence(context)
        if following is not None:
            return following
        wish = self.inner.propose(context)
        if context.agent_speaking:
            return NOTHING
        if wish.action is Action.BACKCHANNEL:
            if self._backchannel_fits(wish, context):
                return wish
            wish = NOTHING  # the person is done, or about to be: the answer (or the thinking knob) speaks next
        if context.user_speaking or self._spoke_at <= self._answered_spoke_at:
            return NOTHING  # the person has the floor, or nothing was said since the last answer
        # How sure the turn ended: the inner proposer's turn end, or (after a backchannel, when the
        # inner proposer waits for new speech) the turn-end signal itself; held while the user is silent.
        eot = context.signals.get(self.eot_column, 0.0)
        self._confidence = max(self._confidence, wish.confidence if wish.action is Action.SPEAK else 0.0,
                               min(1.0, eot) if eot == eot else 0.0)
        # Ready: the latest answer landed by now, for a turn not yet answered, about a pause after
        # which the user did not speak again. Words that asked a question count as a turn end too.
        landed = self.writer.first_part(context.index)
        if landed is not None and (landed.answer.turn <= self._answered_turn or landed.describes < self._spoke_at):
            landed = None
        if landed is not None and landed.answer.asked and self.question_confidence is not None:
            self._confidence = max(self._confidence, self.question_confidence)
        if self._confidence <= 0.0 or (wish.action is not Action.SPEAK and self._confidence < 1e-9):
            return NOTHING
        if landed is not None:
            return self._offer(landed)
        return Proposal(Action.SPEAK, confidence=self._confidence, urgency=self._confidence, source=THINKING_SOURCE)

    def _backchannel_fits(self, wish: Proposal, context: Context) -> bool:
        """A backchannel while the person speaks, and likelier than a turn end. Once they pause, what
        the agent says before the answer is the policy's `thinking` knob; a "mm-hm" as a question
        ends would also hold the answer back by the policy's minimum gap."""
        eot = context.signals.get(self.eot_column, 0.0)
        return context.user_speaking and not (eot >= wish.confidence)

    def _next_sentence(self, context: Context) -> Proposal | None:
        """The answer's next sentence, as the one before it ends, while the person stays silent."""
        if self._said_part < 0 or context.user_speaking or self._spoke_at > self._answered_spoke_at:
            return None
        if context.agent_speaking and context.agent_remaining_s > 1e-9:
            return NOTHING
        landed = self.writer.part(self._answered_turn, self._said_part + 1, context.index)
        return self._offer(landed) if landed is not None else None

    def _offer(self, landed: Landed) -> Proposal:
        answer = landed.answer
        self._offered = (answer.turn, answer.part)
        return Proposal(Action.SPEAK, confidence=self._confidence, urgency=self._confidence, content=answer.text,
                        duration_s=max(0.2, answer.duration_s), source=ANSWER_MORE_SOURCE if answer.part else ANSWER_SOURCE)
