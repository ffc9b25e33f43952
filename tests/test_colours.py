"""A person can tell every reason's colour apart: from the background, and from every other
reason's, with normal colour vision and with each of the three common colour-vision deficiencies.

Contrast: WCAG 2.1 relative luminance, at least 3:1 against white (success criterion 1.4.11,
non-text contrast). Distinguishable: every two reasons at least `MIN_DELTA_E` CIE76 units apart
(CIELAB, D65) as seen normally and as simulated for protanopia, deuteranopia and tritanopia with
the severity-1.0 matrices of Machado, Oliveira and Fernandes (2009), applied in linear sRGB.
The just-noticeable difference is about 2.3 units; 12 is a difference seen at a glance between
small marks side by side.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from designkit.assets import widget_asset
from designkit.core.decisions import Reason
from designkit.study.colours import colour_table

MIN_CONTRAST = 3.0
MIN_DELTA_E = 12.0
BACKGROUNDS = {"white": "#ffffff", "the live strip": "#fafafa"}
# Machado et al. 2009, table of simulation matrices, severity 1.0 (linear RGB in, linear RGB out).
MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
D65 = np.array([0.95047, 1.0, 1.08883])


def linear(colour: str) -> np.ndarray:
    srgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    xyz = SRGB_TO_XYZ @ rgb_linear / D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(colour: str, vision: str) -> np.ndarray:
    rgb = linear(colour)
    if vision != "normal":
        rgb = np.clip(np.array(MACHADO[vision]) @ rgb, 0.0, 1.0)
    return lab(rgb)


def contrast(a: str, b: str) -> float:
    la, lb = (float(linear(c) @ [0.2126, 0.7152, 0.0722]) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def test_the_simulation_and_distance_agree_with_known_values() -> None:
    assert np.allclose(seen("#ffffff", "normal"), [100, 0, 0], atol=0.01)
    assert np.allclose(seen("#ff0000", "normal"), [53.24, 80.09, 67.20], atol=0.05)  # sRGB red in CIELAB
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    # Red and green, far apart normally, nearly merge for a person without red or green cones.
    red, green = "#d62728", "#2ca02c"
    normal = np.linalg.norm(seen(red, "normal") - seen(green, "normal"))
    assert normal > 80
    for vision in ("protanopia", "deuteranopia"):
        assert np.linalg.norm(seen(red, vision) - seen(green, vision)) < normal / 3


def test_every_reason_has_a_colour_and_a_plain_label() -> None:
    table = colour_table()
    assert set(table["reasons"]) == {r.value for r in Reason}
    assert set(table["labels"]) == {r.value for r in Reason}
    for code, label in table["labels"].items():
        assert label and label != code and ":" not in label.split(" ")[0][:-1], label
        assert not re.search(r"\w_\w", label), f"{code} is labelled with a code: {label}"


@pytest.mark.parametrize("background", sorted(BACKGROUNDS))
def test_every_reason_stands_out_from_the_background(background: str) -> None:
    low = {code: round(contrast(colour, BACKGROUNDS[background]), 2)
           for code, colour in colour_table()["reasons"].items()
           if contrast(colour, BACKGROUNDS[background]) < MIN_CONTRAST}
    assert low == {}, f"under {MIN_CONTRAST}:1 against {background}"


@pytest.mark.parametrize("vision", ["normal", *MACHADO])
def test_every_two_reasons_look_different(vision: str) -> None:
    colours = colour_table()["reasons"]
    close = []
    for (a, ca), (b, cb) in itertools.combinations(sorted(colours.items()), 2):
        distance = float(np.linalg.norm(seen(ca, vision) - seen(cb, vision)))
        if distance < MIN_DELTA_E:
            close.append(f"{a} {ca} ~ {b} {cb}: {distance:.1f}")
    assert close == [], f"reasons a person with {vision} vision could mix up"


def test_the_live_legend_adds_every_reason_that_occurs_by_its_plain_label() -> None:
    script = widget_asset("live.js").read_text()
    # Each decision's reason joins the legend once, labelled from the table's plain labels.
    assert "addToLegend(p.gaps.length ? \"silent:gap\" : p.reason)" in script
    assert "table.labels" in script
    # The tooltip names the reason in words, not by its code.
    assert "(${p.reason})" not in script
