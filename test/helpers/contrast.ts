// WCAG 2 contrast of what a page shows: every visible text against the background it is drawn on
// (backgrounds composited up the tree, opacity included), and icons (codicons) against theirs. Runs in the
// page as source text: tsx's keepNames helper does not exist there, so nothing is passed as a function.

export interface ContrastFinding {
  /** A short path to the element, e.g. "div.error > div.error-hint". */
  where: string;
  text: string;
  color: string;
  background: string;
  ratio: number;
  /** 4.5 for text, 3 for large text and icons. */
  required: number;
}

/** `(root) => ContrastFinding[]` as page source: evaluate `(${CONTRAST_SOURCE})(selector)`. */
export const CONTRAST_SOURCE = String.raw`(rootSelector) => {
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || '');
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (f, b) => {
    const a = f[3] + b[3] * (1 - f[3]);
    if (a === 0) return [0, 0, 0, 0];
    return [0, 1, 2].map((i) => (f[i] * f[3] + b[i] * b[3] * (1 - f[3])) / a).concat([a]);
  };
  const mix = (f, b, t) => [0, 1, 2].map((i) => f[i] * t + b[i] * (1 - t)).concat([1]);
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)];
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  const css = (c) => 'rgb(' + c.slice(0, 3).map((v) => Math.round(v)).join(', ') + ')';
  const describe = (e) => {
    const parts = [];
    for (let n = e; n && n !== document.body && parts.length < 3; n = n.parentElement) {
      parts.unshift(n.tagName.toLowerCase() + (n.classList.length ? '.' + [...n.classList].join('.') : ''));
    }
    return parts.join(' > ');
  };
  // The colour behind an element: its own background and its ancestors', composited onto the page's.
  const page = over(parse(getComputedStyle(document.body).backgroundColor), over(parse(getComputedStyle(document.documentElement).backgroundColor), [255, 255, 255, 1]));
  const backgroundOf = (e) => {
    const layers = [];
    let opacity = 1;
    for (let n = e; n && n !== document.documentElement; n = n.parentElement) {
      const style = getComputedStyle(n);
      layers.push(parse(style.backgroundColor));
      opacity *= Number(style.opacity);
    }
    let bg = page;
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return { bg, opacity };
  };
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const style = getComputedStyle(e);
    return style.visibility !== 'hidden' && style.display !== 'none' && !e.closest('[hidden]');
  };
  const findings = [];
  const root = document.querySelector(rootSelector) || document.body;
  for (const e of root.querySelectorAll('*')) {
    if (!visible(e) || e.closest('button:disabled, textarea:disabled, .visually-hidden')) continue;
    const style = getComputedStyle(e);
    const icon = e.classList.contains('codicon');
    const own = e.tagName === 'TEXTAREA' ? e.value : [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('');
    const text = icon ? '(icon ' + [...e.classList].find((c) => c.startsWith('codicon-') && c !== 'codicon-modifier-spin') + ')' : own.trim();
    if (!text) continue;
    const { bg, opacity } = backgroundOf(e);
    let fg = over(parse(style.color), bg);
    let back = bg;
    if (opacity < 1) {
      fg = mix(fg, page, opacity);
      back = mix(back, page, opacity);
    }
    const size = parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const required = icon || large ? 3 : 4.5;
    findings.push({ where: describe(e), text: text.slice(0, 40), color: css(fg), background: css(back), ratio: Math.round(ratio(fg, back) * 100) / 100, required });
  }
  return findings;
}`;
