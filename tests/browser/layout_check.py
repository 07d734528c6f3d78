"""What a reader sees cut or hidden on a page, measured in the browser (issue 16):

- a text element whose content is clipped by its box (overflow hidden/clip, or an ellipsis);
- a word or a number broken across two lines (« +2,⏎4 », « Poi⏎nts », « 50,1 ⏎% »): a piece of
  text without a breakable space whose characters lie on more than one line;
- a text of a plotly chart (axis labels, values, legend) drawn outside the chart's own box;
- a fixed or sticky element (a floating button bar…) lying over a visible text of the page.

`layout_problems(page)` returns one French line per problem, with the text concerned; an empty
list is a page that reads whole. Streamlit's own chrome (header, sidebar toggle, toolbar, toasts)
is left out; canvas-drawn tables (st.dataframe) cannot be read this way."""

from __future__ import annotations

SCRIPT = r"""
() => {
  const problems = [];
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const visible = (el) => {
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || parseFloat(s.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
  };
  const chrome = (el) => el.closest('[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stToast"],'
    + ' [data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],'
    + ' .modebar, [data-testid="stDataFrame"], [data-testid="stTooltipContent"], [role="tooltip"]');
  const short = (t) => t.replace(/\s+/g, ' ').trim().slice(0, 60);

  // 1 and 2: text nodes, their boxes and their lines
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  let node;
  while ((node = walker.nextNode())) {
    const text = node.textContent;
    if (!text.trim()) continue;
    const el = node.parentElement;
    if (!el || chrome(el) || el.closest('svg') || !visible(el)) continue;
    // clipped by an ancestor box (the nearest one that clips), or cut by an ellipsis
    for (let box = el; box && box !== main.parentElement; box = box.parentElement) {
      const s = getComputedStyle(box);
      const clipsX = ['hidden', 'clip'].includes(s.overflowX);
      const ellipsis = s.textOverflow === 'ellipsis';
      if ((clipsX || ellipsis) && box.scrollWidth > box.clientWidth + 1 && !seen.has(box)) {
        seen.add(box);
        problems.push((ellipsis ? 'coupé par « … » : ' : 'débordement masqué : ') + short(box.innerText || text));
      }
      if (clipsX) break;
    }
    // a word or a number on two lines: ranges over pieces without a breakable space
    let offset = 0;
    // (a hyphen is a place where a word may break: « multi-⏎niveaux » is fine, « +2,⏎4 » is not)
    for (const piece of text.split(/[ \t\n\r\-\u2010\u00ad\/]+/)) {
      const start = text.indexOf(piece, offset);
      offset = start + piece.length;
      if (piece.length < 2 || start < 0) continue;
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, start + piece.length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1 && !/^https?:/.test(piece) && piece.length < 40) {
        problems.push('mot coupé sur deux lignes : ' + short(piece));
      }
    }
  }

  // 3: texts of plotly charts outside their chart
  for (const svg of main.querySelectorAll('.main-svg')) {
    if (!visible(svg)) continue;
    const box = svg.closest('.js-plotly-plot') || svg;
    const b = box.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1) {
        problems.push('texte de graphique coupé : ' + short(t.textContent));
      }
    }
  }

  // 4: fixed or sticky elements over a visible text
  const fixed = [...document.querySelectorAll('body *')].filter(el => {
    const p = getComputedStyle(el).position;
    return (p === 'fixed' || p === 'sticky') && !chrome(el) && visible(el)
      && !el.closest('[data-testid="stSidebar"]');
  });
  const texts = [...main.querySelectorAll('p, h1, h2, h3, h4, li, td, th, label, [data-testid="stMetricValue"]')]
    .filter(el => visible(el) && !chrome(el) && el.innerText && el.innerText.trim());
  for (const f of fixed) {
    const fr = f.getBoundingClientRect();
    for (const el of texts) {
      if (f.contains(el) || el.contains(f)) continue;
      const r = el.getBoundingClientRect();
      const overlap = Math.min(fr.right, r.right) - Math.max(fr.left, r.left) > 2
        && Math.min(fr.bottom, r.bottom) - Math.max(fr.top, r.top) > 2;
      if (overlap) problems.push('caché par un élément fixe : ' + short(el.innerText));
    }
  }
  return [...new Set(problems)];
}
"""


def layout_problems(page) -> list[str]:
    """Every problem of what the viewport shows now (see the module docstring)."""
    return page.evaluate(SCRIPT)


def page_problems(page) -> list[str]:
    """The problems of the whole page: the viewport, then each further screen while scrolling the
    main area down, as a reader would."""
    found: list[str] = []
    height = page.evaluate("() => innerHeight")
    total = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }")
    for top in range(0, max(int(total), 1), max(int(height) - 100, 200)):
        page.evaluate("(y) => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                      " if (m) m.scrollTo(0, y); window.scrollTo(0, y); }", top)
        page.wait_for_timeout(150)
        found += [p for p in layout_problems(page) if p not in found]
    page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                  " if (m) m.scrollTo(0, 0); window.scrollTo(0, 0); }")
    return found
