"""A rendered human figure for synthetic camera video: a 3-D skeleton, posed, drawn with filled limbs.

Numpy only (no OpenCV), so it renders the same whichever `cv2` wheel is installed. Limbs are
shaded, anti-aliased capsules in skin and clothing colours, the torso a filled quad, the head
has hair, ears, eyes, nose and mouth: a pose estimator trained on people reads it as a person.
Coordinates are metres, y up, the figure faces +z; the camera looks at it from `yaw` degrees.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Vec = npt.NDArray[np.float64]
Joints = Mapping[str, Vec]

# Segment lengths (m) of an adult about 1.75 m tall.
SHIN, THIGH, TORSO, UPPER_ARM, FOREARM, HAND = 0.44, 0.43, 0.50, 0.29, 0.26, 0.09
HIP_HALF, SHOULDER_HALF, HEAD_R = 0.10, 0.19, 0.11
ANKLE_Y = 0.08

SKIN = ((233, 190, 160), (198, 150, 110), (150, 100, 70), (95, 62, 45), (245, 210, 185))
SHIRTS = ((200, 40, 40), (40, 90, 190), (40, 150, 80), (230, 160, 30), (120, 60, 160), (30, 30, 35))
SHORTS = ((30, 30, 40), (60, 60, 70), (20, 50, 110), (90, 70, 50))
HAIR = ((30, 22, 18), (90, 60, 30), (200, 170, 90), (20, 20, 20))
WALLS = ((205, 200, 190), (180, 195, 205), (215, 210, 180), (170, 175, 170))
FLOORS = ((140, 110, 80), (110, 110, 115), (160, 140, 110))


@dataclass(frozen=True, slots=True)
class Look:
    """Colours, camera and placement of one rendered person; drawn from a seed by `Look.random`."""

    skin: tuple[int, int, int]
    shirt: tuple[int, int, int]
    shorts: tuple[int, int, int]
    hair: tuple[int, int, int]
    wall: tuple[int, int, int]
    floor: tuple[int, int, int]
    yaw_deg: float
    scale_px_per_m: float
    width: int = 320
    height: int = 240

    @classmethod
    def random(cls, rng: np.random.Generator, *, yaw_deg: float, scale: float,
               width: int = 320, height: int = 240) -> Look:
        def pick(options: tuple[tuple[int, int, int], ...]) -> tuple[int, int, int]:
            return options[int(rng.integers(len(options)))]
        return cls(skin=pick(SKIN), shirt=pick(SHIRTS), shorts=pick(SHORTS), hair=pick(HAIR),
                   wall=pick(WALLS), floor=pick(FLOORS), yaw_deg=yaw_deg, scale_px_per_m=scale,
                   width=width, height=height)


def _v(x: float, y: float, z: float) -> Vec:
    return np.array([x, y, z], dtype=np.float64)


def _dir_sagittal(angle_deg: float, down: bool = True) -> Vec:
    """A unit vector in the y-z plane, `angle` degrees from straight down (or up) toward +z."""
    a = math.radians(angle_deg)
    return _v(0.0, -math.cos(a) if down else math.cos(a), math.sin(a))


def _dir_frontal(angle_deg: float, side: int) -> Vec:
    """A unit vector in the x-y plane, `angle` degrees from straight down out to `side` (+1/-1)."""
    a = math.radians(angle_deg)
    return _v(side * math.sin(a), -math.cos(a), 0.0)


def skeleton(*, knee_flex: float = 0.0, shin_tilt: float = 0.0, trunk_lean: float = 0.0,
             shoulder_flex: tuple[float, float] = (0.0, 0.0), shoulder_abd: tuple[float, float] = (8.0, 8.0),
             elbow_flex: tuple[float, float] = (8.0, 8.0), leg_abd: float = 3.0,
             leg_swing: tuple[float, float] = (0.0, 0.0), x: float = 0.0) -> dict[str, Vec]:
    """Joint positions for a posed body; angles in degrees, index 0 = the person's right side."""
    joints: dict[str, Vec] = {}
    hips_y = []
    for i, side in enumerate((-1, 1)):
        ankle = _v(x + side * (HIP_HALF + math.sin(math.radians(leg_abd)) * (SHIN + THIGH)), ANKLE_Y, 0.0)
        swing = leg_swing[i]
        shin_dir = _dir_sagittal(shin_tilt - swing, down=False)
        knee = ankle + SHIN * shin_dir
        thigh_back = knee_flex - shin_tilt + swing
        hip = knee + THIGH * _v(0.0, math.cos(math.radians(thigh_back)), -math.sin(math.radians(thigh_back)))
        joints[f"ankle{i}"], joints[f"knee{i}"], joints[f"hip{i}"] = ankle, knee, hip
        joints[f"toe{i}"] = ankle + _v(0.0, -0.05, 0.14)
        hips_y.append(hip[1])
    # Both hips at one height (the lower leg decides); abducted legs lean out from the hips.
    y = ANKLE_Y + (min(hips_y) - ANKLE_Y) * math.cos(math.radians(leg_abd))
    for i, side in enumerate((-1, 1)):
        ankle, hip = joints[f"ankle{i}"], joints[f"hip{i}"]
        hip_x = x + side * HIP_HALF
        knee = joints[f"knee{i}"]
        share = SHIN / (SHIN + THIGH)
        joints[f"knee{i}"] = _v(ankle[0] + (hip_x - ankle[0]) * share,
                                ANKLE_Y + (knee[1] - ANKLE_Y) * (y - ANKLE_Y) / max(hip[1] - ANKLE_Y, 1e-6),
                                knee[2])
        joints[f"hip{i}"] = _v(hip_x, y, hip[2])
    pelvis = (joints["hip0"] + joints["hip1"]) / 2
    trunk = _dir_sagittal(trunk_lean, down=False)
    chest = pelvis + TORSO * trunk
    joints["pelvis"], joints["chest"] = pelvis, chest
    joints["head"] = chest + (0.07 + HEAD_R) * trunk
    for i, side in enumerate((-1, 1)):
        shoulder = chest + _v(side * SHOULDER_HALF, -0.02, 0.0)
        flex, abd = math.radians(shoulder_flex[i]), math.radians(shoulder_abd[i])
        upper = _v(side * math.sin(abd) * math.cos(flex), -math.cos(abd) * math.cos(flex), math.sin(flex))
        upper /= np.linalg.norm(upper)
        elbow = shoulder + UPPER_ARM * upper
        # The elbow bends the forearm forward (toward +z) from the upper arm's line.
        forward = _v(0.0, 0.0, 1.0) - upper * upper[2]
        norm = float(np.linalg.norm(forward))
        forward = forward / norm if norm > 1e-6 else _v(0.0, 1.0, 0.0)
        e = math.radians(elbow_flex[i])
        fore = math.cos(e) * upper + math.sin(e) * forward
        wrist = elbow + FOREARM * fore
        joints[f"shoulder{i}"], joints[f"elbow{i}"], joints[f"wrist{i}"] = shoulder, elbow, wrist
        joints[f"hand{i}"] = wrist + HAND * fore
    return joints


class Canvas:
    """Draws anti-aliased shaded shapes into an RGB float image."""

    def __init__(self, background: npt.NDArray[np.float32]) -> None:
        self.image = background.copy()
        h, w = background.shape[:2]
        self.h, self.w = h, w
        self._ys, self._xs = np.mgrid[0:h, 0:w].astype(np.float32)

    def _box(self, lo_x: float, hi_x: float, lo_y: float, hi_y: float) -> tuple[slice, slice] | None:
        x0, x1 = max(int(lo_x) - 1, 0), min(int(hi_x) + 2, self.w)
        y0, y1 = max(int(lo_y) - 1, 0), min(int(hi_y) + 2, self.h)
        if x0 >= x1 or y0 >= y1:
            return None
        return slice(y0, y1), slice(x0, x1)

    def _blend(self, box: tuple[slice, slice], alpha: npt.NDArray[np.float32],
               colour: npt.NDArray[np.float32]) -> None:
        region = self.image[box]
        a = alpha[..., None]
        region *= 1.0 - a
        region += a * colour

    def capsule(self, a: Vec, b: Vec, r0: float, r1: float, colour: tuple[int, int, int]) -> None:
        r = max(r0, r1)
        box = self._box(min(a[0], b[0]) - r, max(a[0], b[0]) + r, min(a[1], b[1]) - r, max(a[1], b[1]) + r)
        if box is None:
            return
        xs, ys = self._xs[box], self._ys[box]
        abx, aby = float(b[0] - a[0]), float(b[1] - a[1])
        length2 = abx * abx + aby * aby
        if length2 < 1e-9:
            t = np.zeros_like(xs)
        else:
            t = np.clip(((xs - a[0]) * abx + (ys - a[1]) * aby) / length2, 0.0, 1.0)
        dx, dy = xs - (a[0] + t * abx), ys - (a[1] + t * aby)
        dist = np.sqrt(dx * dx + dy * dy)
        radius = r0 + t * (r1 - r0)
        alpha = np.clip(radius - dist + 0.5, 0.0, 1.0)
        shade = 1.0 - 0.38 * np.clip(dist / np.maximum(radius, 1e-3), 0.0, 1.0) ** 2
        self._blend_shaded(box, alpha, shade, colour)

    def _blend_shaded(self, box: tuple[slice, slice], alpha: npt.NDArray[Any],
                      shade: npt.NDArray[Any], colour: tuple[int, int, int]) -> None:
        region = self.image[box]
        a = alpha[..., None]
        region *= 1.0 - a
        region += a * (shade[..., None] * np.asarray(colour, dtype=np.float32))

    def disc(self, c: Vec, r: float, colour: tuple[int, int, int], shaded: bool = True) -> None:
        self.capsule(c, c, r, r, colour) if shaded else self.flat_disc(c, r, colour)

    def flat_disc(self, c: Vec, r: float, colour: tuple[int, int, int]) -> None:
        box = self._box(c[0] - r, c[0] + r, c[1] - r, c[1] + r)
        if box is None:
            return
        dist = np.sqrt((self._xs[box] - c[0]) ** 2 + (self._ys[box] - c[1]) ** 2)
        self._blend(box, np.clip(r - dist + 0.5, 0.0, 1.0), np.asarray(colour, dtype=np.float32))

    def quad(self, pts: list[Vec], colour: tuple[int, int, int]) -> None:
        """A filled convex polygon (points in either winding), lit a little darker at the edges."""
        xs_all = [p[0] for p in pts]
        ys_all = [p[1] for p in pts]
        box = self._box(min(xs_all), max(xs_all), min(ys_all), max(ys_all))
        if box is None:
            return
        xs, ys = self._xs[box], self._ys[box]
        n = len(pts)
        area = sum(pts[i][0] * pts[(i + 1) % n][1] - pts[(i + 1) % n][0] * pts[i][1] for i in range(n))
        sign = 1.0 if area > 0 else -1.0
        inside = np.full(xs.shape, np.inf, dtype=np.float32)
        for i in range(n):
            p, q = pts[i], pts[(i + 1) % n]
            ex, ey = q[0] - p[0], q[1] - p[1]
            length = math.hypot(ex, ey) or 1.0
            signed = sign * (ex * (ys - p[1]) - ey * (xs - p[0])) / length
            inside = np.minimum(inside, signed)
        alpha = np.clip(inside + 0.5, 0.0, 1.0)
        shade = 0.8 + 0.2 * np.clip(inside / 6.0, 0.0, 1.0)
        self._blend_shaded(box, alpha, shade, colour)


def background(look: Look, rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """A wall with a soft gradient and texture above a floor, fixed for a whole video."""
    h, w = look.height, look.width
    horizon = int(h * 0.78)
    image = np.empty((h, w, 3), dtype=np.float32)
    grad = np.linspace(1.05, 0.9, horizon, dtype=np.float32)[:, None, None]
    image[:horizon] = grad * np.asarray(look.wall, dtype=np.float32)
    fgrad = np.linspace(0.85, 1.05, h - horizon, dtype=np.float32)[:, None, None]
    image[horizon:] = fgrad * np.asarray(look.floor, dtype=np.float32)
    image += rng.normal(0.0, 3.0, size=(h, w, 1)).astype(np.float32)
    return np.clip(image, 0, 255)


def draw_person(canvas: Canvas, joints: Joints, look: Look, *, ground_px: float, centre_px: float,
                dumbbells: bool = False) -> dict[str, tuple[float, float]]:
    """Project and draw the figure far-to-near; return each joint's pixel position."""
    yaw = math.radians(look.yaw_deg)
    cos_y, sin_y = math.cos(yaw), math.sin(yaw)
    s = look.scale_px_per_m
    projected: dict[str, Vec] = {}
    depth: dict[str, float] = {}
    for name, p in joints.items():
        x = p[0] * cos_y + p[2] * sin_y
        z = -p[0] * sin_y + p[2] * cos_y
        projected[name] = np.array([centre_px + s * x, ground_px - s * p[1]])
        depth[name] = z
    px = {k: (float(v[0]), float(v[1])) for k, v in projected.items()}

    def shade(colour: tuple[int, int, int], side: int) -> tuple[int, int, int]:
        # The far side of the body is a little darker, which helps tell left from right.
        far = (side == 1) == (sin_y > 0)
        f = 0.82 if far else 1.0
        return (int(colour[0] * f), int(colour[1] * f), int(colour[2] * f))

    r = s  # metres -> pixels
    items: list[tuple[float, int, tuple[object, ...]]] = []

    def limb(a: str, b: str, r0: float, r1: float, colour: tuple[int, int, int], order: int = 0) -> None:
        items.append(((depth[a] + depth[b]) / 2, order, ("capsule", a, b, r0 * r, r1 * r, colour)))

    for i in (0, 1):
        sh, sk, pants = shade(look.shirt, i), shade(look.skin, i), shade(look.shorts, i)
        limb(f"hip{i}", f"knee{i}", 0.085, 0.065, pants)
        limb(f"knee{i}", f"ankle{i}", 0.058, 0.04, sk)
        limb(f"ankle{i}", f"toe{i}", 0.04, 0.035, (40, 40, 45))
        limb(f"shoulder{i}", f"elbow{i}", 0.055, 0.045, sh, 1)
        limb(f"elbow{i}", f"wrist{i}", 0.042, 0.032, sk, 1)
        limb(f"wrist{i}", f"hand{i}", 0.04, 0.036, sk, 1)
        if dumbbells:
            limb(f"hand{i}", f"hand{i}", 0.06, 0.06, (60, 60, 66), 2)
    body_depth = (depth["pelvis"] + depth["chest"]) / 2
    items.append((body_depth, 0, ("torso",)))
    items.sort(key=lambda item: (item[0], item[1]))
    # Limbs on the near side of the torso are drawn after it, the far side before it.
    for _, _, item in items:
        kind = item[0]
        if kind == "capsule":
            _, a, b, r0, r1, colour = item
            canvas.capsule(projected[str(a)], projected[str(b)], float(r0), float(r1), colour)  # type: ignore[arg-type]
        else:
            _draw_torso(canvas, projected, depth, look, r)
    _draw_head(canvas, joints["head"], projected["head"], look, r, cos_y, sin_y)
    return px


def _draw_torso(canvas: Canvas, projected: dict[str, Vec], depth: dict[str, float], look: Look, r: float) -> None:
    pts = [projected["shoulder0"], projected["shoulder1"], projected["hip1"], projected["hip0"]]
    canvas.capsule(projected["pelvis"], projected["pelvis"], 0.15 * r, 0.15 * r, look.shorts)
    canvas.capsule(projected["chest"], projected["pelvis"], 0.14 * r, 0.13 * r, look.shirt)
    canvas.quad(pts, look.shirt)
    canvas.capsule(projected["shoulder0"], projected["shoulder1"], 0.06 * r, 0.06 * r, look.shirt)
    neck_top = projected["chest"] + 0.45 * (projected["head"] - projected["chest"])
    canvas.capsule(projected["chest"], neck_top, 0.05 * r, 0.045 * r, look.skin)


def _draw_head(canvas: Canvas, head3: Vec, head: Vec, look: Look, r: float, cos_y: float, sin_y: float) -> None:
    radius = HEAD_R * r

    def at(local: tuple[float, float, float]) -> tuple[Vec, float]:
        x, y, z = local
        px = x * cos_y + z * sin_y
        pz = -x * sin_y + z * cos_y
        return head + np.array([px * radius, -y * radius]), pz

    canvas.capsule(head + np.array([0.0, -0.08 * radius]), head + np.array([0.0, -0.08 * radius]),
                   radius * 1.02, radius * 1.02, look.hair)
    face, _ = at((0.0, -0.12, 0.18))
    canvas.capsule(face, face, radius * 0.95, radius * 0.95, look.skin)
    hairline, hz = at((0.0, 0.72, 0.45))
    if hz > -0.2:
        canvas.capsule(hairline, hairline, radius * 0.6, radius * 0.6, look.hair)
    for side in (-1.0, 1.0):
        ear, ez = at((side * 0.98, -0.1, -0.05))
        if abs(ez) < 0.6:
            canvas.flat_disc(ear, radius * 0.18, look.skin)
        eye, z = at((side * 0.36, 0.05, 0.93))
        if z > 0.15:
            canvas.flat_disc(eye, max(radius * 0.16, 1.0), (250, 250, 250))
            canvas.flat_disc(eye, max(radius * 0.09, 0.8), (30, 25, 25))
            brow, _ = at((side * 0.36, 0.3, 0.9))
            canvas.capsule(brow - np.array([radius * 0.15, 0]), brow + np.array([radius * 0.15, 0]),
                           radius * 0.05, radius * 0.05, look.hair)
    nose, nz = at((0.0, -0.2, 1.02))
    if nz > 0.1:
        canvas.flat_disc(nose, radius * 0.1, tuple(int(c * 0.85) for c in look.skin))  # type: ignore[arg-type]
    mouth_l, mz = at((-0.25, -0.52, 0.85))
    mouth_r, _ = at((0.25, -0.52, 0.85))
    if mz > 0.1:
        canvas.capsule(mouth_l, mouth_r, radius * 0.06, radius * 0.06, (150, 60, 60))
