"""Visual cues fire once their reading has held for the dwell, with the moment it began."""

from __future__ import annotations

from designkit.perception.vision.cues import VisualCues


def _run(frames: list[tuple[float, dict[str, float]]], **settings: float) -> list[tuple[str, float, float]]:
    cues = VisualCues(**settings)  # type: ignore[arg-type]
    return [(e.data["name"], e.t, e.data["onset"]) for t, signals in frames for e in cues.update(t, signals)]


def test_a_person_enters_raises_a_hand_holds_still_and_leaves() -> None:
    moving, still = 0.1, 0.0
    frames = [(0.25, {"person": 0.0, "speed": moving}),
              (0.50, {"person": 1.0, "speed": moving}),  # one frame: not yet
              (0.75, {"person": 0.0, "speed": moving}),
              (1.00, {"person": 1.0, "speed": moving}),  # seen from 1.0 ...
              (1.25, {"person": 1.0, "speed": moving}),
              (1.50, {"person": 1.0, "speed": moving, "hand_raised": 1.0}),  # ... enter at 1.5 (dwell 0.5)
              (1.75, {"person": 1.0, "speed": still, "hand_raised": 1.0}),
              (2.00, {"person": 1.0, "speed": still, "hand_raised": 1.0}),  # hand up since 1.5
              (2.25, {"person": 1.0, "speed": still}),
              (2.50, {"person": 1.0, "speed": still}),  # still since 1.75 for 0.75 s
              (2.75, {"person": 1.0, "speed": still}),  # once per still stretch
              (3.00, {"person": 0.0}),
              (3.25, {"person": 0.0}),
              (3.50, {"person": 0.0})]  # gone since 3.0
    fired = _run(frames, dwell_s=0.5, still_s=0.75, still_below=0.03)
    assert fired == [("enter", 1.5, 1.0), ("raise_hand", 2.0, 1.5), ("hold_still", 2.5, 1.75), ("leave", 3.5, 3.0)]


def test_moving_rearms_hold_still_at_once() -> None:
    frames = [(k / 4, {"speed": 0.5 if k in (4, 9) else 0.0}) for k in range(1, 13)]
    # still from 0.25 (fires at 0.75), moves at 1.0, still from 1.25 (fires at 1.75), moves at 2.25,
    # still from 2.5 (fires at 3.0); no person signal: stillness alone
    assert [(t, onset) for _, t, onset in _run(frames, still_s=0.5)] == [(0.75, 0.25), (1.75, 1.25), (3.0, 2.5)]
