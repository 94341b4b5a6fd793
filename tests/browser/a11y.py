"""Accessibility checks run in the page (axe-core is not vendored, and there is no network).

`audit(page)` returns a list of problems, each a short string naming the element:

- form fields: every input (except hidden and buttons), select and textarea has a name from
  a label (label[for] or a wrapping label, i.e. the browser's `field.labels`), aria-label or
  aria-labelledby;
- headings: exactly one h1, first heading h1, no skipped levels on the way down;
- images: every <img> has an alt attribute; every [role=img] has aria-label/aria-labelledby;
  every <svg> is hidden from assistive technology (aria-hidden), inside a labelled
  [role=img], or itself has role=img with aria-label/aria-labelledby/<title>;
- contrast: every visible text (text nodes, form values and placeholders) has a contrast
  ratio ≥ 4.5:1 against the nearest opaque background (≥ 3:1 for large text: 24 px, or
  18.66 px bold), computed from the computed styles: the foreground's alpha and every
  translucent background on the way up are composited over the first opaque one (white
  when there is none). Text over a background image is reported as unknown.
"""

AUDIT_JS = r"""
(exclude) => {
  const problems = [];
  const skip = (el) => exclude && el.closest(exclude);
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    else if (el.getAttribute("name")) s += `[name="${el.getAttribute("name")}"]`;
    else if (el.classList.length) s += "." + [...el.classList].join(".");
    const text = (el.innerText || el.value || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return text ? `${s} "${text}"` : s;
  };
  const hidden = (el) => {
    for (let e = el; e; e = e.parentElement) {
      if (e.hidden || e.getAttribute("aria-hidden") === "true") return true;
      const cs = getComputedStyle(e);
      if (cs.display === "none") return true;
    }
    return getComputedStyle(el).visibility === "hidden";
  };
  const textOf = (ids) =>
    ids.split(/\s+/).map((id) => document.getElementById(id))
      .filter(Boolean).map((e) => e.textContent.trim()).join(" ").trim();

  // 1. every form field has a label
  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (["hidden", "submit", "button", "reset", "image"].includes(type) || skip(el)) continue;
    const byLabel = [...(el.labels || [])].some((l) => l.textContent.trim());
    const byAria = (el.getAttribute("aria-label") || "").trim();
    const byRef = el.getAttribute("aria-labelledby") && textOf(el.getAttribute("aria-labelledby"));
    if (!byLabel && !byAria && !byRef) problems.push(`label: ${describe(el)} has no label`);
  }

  // 2. headings: one h1, in order, no skipped levels
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .filter((h) => !skip(h));
  const h1s = headings.filter((h) => h.tagName === "H1");
  if (h1s.length !== 1) problems.push(`headings: ${h1s.length} h1 elements (want 1)`);
  let level = 0;
  for (const h of headings) {
    const next = Number(h.tagName[1]);
    if (next > level + 1)
      problems.push(`headings: ${describe(h)} is h${next} after h${level || "(none)"}`);
    level = next;
  }

  // 3. images and SVG have text alternatives
  for (const img of document.querySelectorAll("img")) {
    if (!skip(img) && !img.hasAttribute("alt")) problems.push(`image: ${describe(img)} has no alt`);
  }
  const named = (el) =>
    (el.getAttribute("aria-label") || "").trim() ||
    (el.getAttribute("aria-labelledby") && textOf(el.getAttribute("aria-labelledby")));
  for (const el of document.querySelectorAll('[role="img"]')) {
    if (skip(el)) continue;
    const title = el.tagName.toLowerCase() === "svg" && el.querySelector(":scope > title");
    if (!named(el) && !(title && title.textContent.trim()))
      problems.push(`image: ${describe(el)} (role=img) has no accessible name`);
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (skip(svg) || svg.parentElement.closest("svg")) continue;
    if (svg.closest('[aria-hidden="true"]')) continue;
    if (svg.parentElement.closest('[role="img"]')) continue;  // that element is checked above
    if (svg.getAttribute("role") === "img") continue;  // checked above
    problems.push(`image: ${describe(svg)} is neither labelled (role=img) nor aria-hidden`);
  }

  // 4. contrast of visible text against the nearest opaque background
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.backgroundImage && cs.backgroundImage !== "none") return null;
      const bg = parse(cs.backgroundColor);
      if (bg && bg.a > 0) {
        layers.push(bg);
        if (bg.a >= 1) break;
      }
    }
    let colour = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = (c) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const seen = new Set();
  const checkText = (el, colourText, what) => {
    const cs = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1 || rect.right <= 0 || rect.bottom <= 0) return;
    if (hidden(el) || Number(cs.opacity) === 0) return;
    const bg = background(el);
    const key = `${describe(el)}|${what}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (!bg) {
      problems.push(`contrast: ${describe(el)} is over a background image (not checked)`);
      return;
    }
    const fg = over(parse(colourText), bg);
    const size = parseFloat(cs.fontSize);
    const bold = Number(cs.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const need = large ? 3 : 4.5;
    const got = ratio(fg, bg);
    if (got < need) {
      const hex = (c) =>
        "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
      problems.push(
        `contrast: ${describe(el)}${what} is ${got.toFixed(2)}:1 (${hex(fg)} on ${hex(bg)}, ` +
        `${size}px${bold ? " bold" : ""}; needs ${need}:1)`
      );
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || skip(el)) continue;
    if (el.closest("script, style, noscript, svg, option, title")) continue;
    checkText(el, getComputedStyle(el).color, "");
  }
  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "text").toLowerCase();
    const noText = ["hidden", "checkbox", "radio", "image", "range", "color"];
    if (noText.includes(type) || skip(el)) continue;
    if (el.value) checkText(el, getComputedStyle(el).color, " (value)");
    else if (el.placeholder)
      checkText(el, getComputedStyle(el, "::placeholder").color, " (placeholder)");
  }
  return problems;
}
"""


def audit(page, exclude: str | None = None) -> list[str]:
    """The accessibility problems of the page as it is now (`exclude`: a CSS selector of
    third-party markup to leave out, e.g. the payment provider's card form)."""
    return page.evaluate(AUDIT_JS, exclude)
