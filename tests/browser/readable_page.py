"""What a designer would see wrong on a page at a laptop's size: measured in real Chromium.

`measure(page)` returns, per kind, a list of plain descriptions of each problem:

- `overflow`: the page, or an element that scrolls or clips sideways (its scroll width wider than
  its client width), at the page's viewport (1280 x 800 is a laptop);
- `clipped`: a chart's text (label, legend, axis title) whose box leaves its chart's box, or that
  the chart cut short with an ellipsis;
- `overlapping`: two visible texts of one chart whose boxes overlap;
- `without_alt`: a chart (an SVG drawn by Vega, an image) with no alternative text.

Plain functions (no pytest) so the browser tests and the `readable` benchmark share them.
"""

from __future__ import annotations

from typing import Any

LAPTOP = {"width": 1280, "height": 800}

MEASURE = r"""() => {
  const out = {overflow: [], clipped: [], overlapping: [], without_alt: []};
  const root = document.documentElement;
  const name = el => (el.id ? '#' + el.id : el.tagName.toLowerCase()) +
    (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.') : '');
  const shown = el => { const s = getComputedStyle(el);
    return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0; };
  if (root.scrollWidth > root.clientWidth + 1) out.overflow.push(`the page scrolls sideways (${root.scrollWidth} px wide in ${root.clientWidth})`);
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg') || !shown(el)) continue;
    const s = getComputedStyle(el);
    if (!['auto', 'scroll', 'hidden'].includes(s.overflowX) || el.clientWidth === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.innerText && el.innerText.trim())
      out.overflow.push(`${name(el)} scrolls or clips sideways (${el.scrollWidth} px in ${el.clientWidth}): ${el.innerText.trim().slice(0, 60)}`);
  }
  const charts = [...document.querySelectorAll('svg')].filter(svg => !svg.parentElement.closest('svg') && shown(svg)
    && svg.querySelectorAll('text').length > 0);
  const images = [...document.querySelectorAll('img')].filter(shown).filter(img => img.width >= 100 && img.height >= 60);
  for (const img of images) {
    if (!(img.getAttribute('alt') || '').trim()) out.without_alt.push(`an image without alt text (${img.src.slice(0, 40)})`);
  }
  for (const svg of charts) {
    const label = (svg.getAttribute('aria-label') || '').trim() || (svg.querySelector(':scope > title')?.textContent || '').trim()
      || (svg.closest('[aria-label]')?.getAttribute('aria-label') || '').trim();
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter(t => {
      const s = getComputedStyle(t);
      return t.textContent.trim() && s.display !== 'none' && s.visibility !== 'hidden' && Number(s.opacity) > 0
        && Number(s.fillOpacity) > 0 && t.getClientRects().length > 0;
    });
    const what = (svg.getAttribute('aria-label') || texts.map(t => t.textContent).join(' ')).slice(0, 50);
    if (!label) out.without_alt.push(`a chart without alt text: ${what}`);
    // the chart's visible box: its own, cut by any ancestor that hides or scrolls what overflows
    let [left, top, right, bottom] = [box.left, box.top, box.right, box.bottom];
    const cutBy = [];
    // An ancestor that hides what overflows cuts the box; one that scrolls (a Voilà page scrolls in
    // its own panel) shows it by scrolling, so it cuts at its scroll range, and what lies above a
    // scroller cuts the scroller, not the chart.
    let [scrolledX, scrolledY] = [false, false];
    for (let el = svg.parentElement; el && el !== document.body; el = el.parentElement) {
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const scrolls = v => v === 'auto' || v === 'scroll';
      if (!scrolledX && s.overflowX !== 'visible') {
        const [from, width] = scrolls(s.overflowX) ? [r.left - el.scrollLeft, el.scrollWidth] : [r.left, el.clientWidth];
        left = Math.max(left, from); right = Math.min(right, from + width);
        cutBy.push(`${name(el)} (overflow-x ${s.overflowX})`);
        scrolledX = scrolls(s.overflowX);
      }
      if (!scrolledY && s.overflowY !== 'visible') {
        const [from, height] = scrolls(s.overflowY) ? [r.top - el.scrollTop, el.scrollHeight] : [r.top, el.clientHeight];
        top = Math.max(top, from); bottom = Math.min(bottom, from + height);
        cutBy.push(`${name(el)} (overflow-y ${s.overflowY})`);
        scrolledY = scrolls(s.overflowY);
      }
    }
    if (!scrolledX) right = Math.min(right, root.clientWidth);
    const boxes = texts.map(t => [t, t.getBoundingClientRect()]);
    for (const [t, r] of boxes) {
      const word = t.textContent.trim();
      if (word.endsWith('…')) out.clipped.push(`"${word}" is cut short in "${what}"`);
      else if (r.left < left - 1 || r.right > right + 1 || r.top < top - 1 || r.bottom > bottom + 1)
        out.clipped.push(`"${word}" leaves its chart "${what}"${cutBy.length ? ', cut by ' + cutBy.join(', ') : ''}`);
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 2 && h > 2) out.overlapping.push(`"${a.textContent.trim()}" overlaps "${b.textContent.trim()}" in "${what}"`);
    }
  }
  return out;
}"""


def measure(page: Any) -> dict[str, list[str]]:
    """The page's problems as a designer would see them at its current viewport (see the module doc)."""
    return {key: list(value) for key, value in page.evaluate(MEASURE).items()}


def counts(problems: dict[str, list[str]]) -> dict[str, int]:
    return {key: len(value) for key, value in problems.items()}
