"""What a Full-Duplex-Bench score is called where a designer reads it: plain words for each
`<task>:<measure>` name that `designkit.agents.fdbench.scorecard` writes (the codes stay in the
data, so a study conclusion can check them). TOR is the benchmark's takeover rate."""

from __future__ import annotations

from collections.abc import Mapping

LABELS: Mapping[str, str] = {
    "smooth_turn_taking:tor": "turn ends taken (share, higher is better)",
    "smooth_turn_taking:latency": "time to take the turn (seconds)",
    "pause_handling:tor": "pauses taken over (share, lower is better)",
    "user_interruption:tor": "interruptions answered (share)",
    "user_interruption:latency": "time to answer an interruption (seconds)",
    "backchannel:frequency": "backchannels per second",
    "backchannel:tor": "monologues taken over (share, lower is better)",
    "overlap_timing:stop_latency": "time to stop when talked over (seconds)",
    "overlap_timing:response_latency": "time to answer after being talked over (seconds)",
    "backchannel:jsd": "backchannel timing unlike people's (JSD, lower is better)",
}
