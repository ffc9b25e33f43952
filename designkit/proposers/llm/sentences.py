"""From a stream of text pieces to sentences the voice can say, and answers a person can hear.

The voice starts on the first whole sentence, so the first words play before the rest exists;
`sentences` cuts the stream at each sentence end, and optionally the first one earlier, at its first
clause end (", " "; " ": ") once it has a few words: "In a small garden," is said while the model
writes the rest of the sentence, which halves the wait for the first words of a long sentence. `tidy` makes a model's sentence speakable (no
markdown, emoji or stray quotes) and `is_boilerplate` spots assistant boilerplate ("as an AI",
"I'm sorry") that a persona should not produce where nothing went wrong.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable

# A sentence ends at . ! or ? followed by a space (or the end); "e.g." and decimals do not end one.
_END = re.compile(r"(?<!\b[A-Za-z]\.[A-Za-z])(?<!\be\.g)(?<!\bi\.e)(?<![0-9])[.!?]+[\"')\]]*(?=\s|$)")
# A clause ends at , ; or : followed by a space ("1,000" and "10:30" do not end one).
_CLAUSE = re.compile(r"[,;:](?=\s)")
# A phrase may end before one of these words: the voice says "The best book," then "to read on holiday".
JOINING = frozenset(("to", "for", "in", "on", "at", "with", "and", "but", "or", "because", "that", "which",
                     "who", "when", "while", "if", "so", "like", "about", "from", "by", "into", "during"))
_WORD = re.compile(r"(?<=\s)[A-Za-z']+(?=\s)")  # a whole word: the stream has gone past it
_UNSPEAKABLE = re.compile(r"[*_#`~<>|\[\]{}]|[\U0001F000-\U0001FAFF\u2600-\u27BF]")
BOILERPLATE = ("as an ai", "language model", "i'm sorry", "i am sorry", "i apologize", "i cannot",
               "i can't help", "as a virtual", "i'm just an", "i do not have personal", "i don't have personal")


def tidy(text: str) -> str:
    """A sentence as the voice should say it: no markup or emoji, single spaces, no wrapping quotes."""
    clean = _UNSPEAKABLE.sub("", text)
    clean = re.sub(r"\s+", " ", clean).strip().strip('"').strip()
    clean = re.sub(r"\s+([.,!?;:])", r"\1", clean)
    return clean


def sentences(pieces: Iterable[str], *, first_clause_words: int = 0,
              first_phrase_words: int = 0) -> Generator[str, None, None]:
    """Whole sentences as soon as each one ends in the stream (the rest at the end, if any). With
    `first_clause_words`, the first comes out at its first clause end that has at least that many words;
    with `first_phrase_words`, sooner still, before the first joining word ("to", "for", "and", ...)
    that follows at least that many words ("The best book" | "to read on holiday is a classic.")."""
    buffer = ""
    clause_words, phrase_words = first_clause_words, first_phrase_words
    for piece in pieces:
        buffer += piece
        while True:
            end = _END.search(buffer)
            cut = end.end() if end is not None else None
            if clause_words:
                cut = _clause_end(buffer[:cut], clause_words) or cut
            if phrase_words:
                cut = _phrase_end(buffer[:cut], phrase_words) or cut
            if cut is None:
                break
            clause_words = phrase_words = 0  # only the first piece said may be a clause or a phrase
            sentence, buffer = tidy(buffer[:cut]), buffer[cut:]
            if sentence:
                yield sentence
    rest = tidy(buffer)
    if rest:
        yield rest


def _clause_end(text: str, words: int) -> int | None:
    """Where the first clause of `text` with at least `words` words ends, if one does."""
    for match in _CLAUSE.finditer(text):
        if len(text[: match.end()].split()) >= words:
            return match.end()
    return None


def _phrase_end(text: str, words: int) -> int | None:
    """Where the first phrase of `text` with at least `words` words ends: before a whole joining word."""
    for match in _WORD.finditer(text):
        if match.group().lower() in JOINING and len(text[: match.start()].split()) >= words:
            return match.start()
    return None


def first_sentence(pieces: Iterable[str], *, max_words: int = 40) -> str:
    """The first sentence of a stream (stops reading there), cut to `max_words` words."""
    for sentence in sentences(pieces):
        words = sentence.split()
        if len(words) > max_words:
            return " ".join(words[:max_words])
        return sentence
    return ""


def is_boilerplate(text: str) -> bool:
    lowered = text.lower().replace("\u2019", "'")
    return any(phrase in lowered for phrase in BOILERPLATE)
