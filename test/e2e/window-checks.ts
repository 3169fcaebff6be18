/// <reference lib="dom" />
/**
 * Checks of what a page shows, run inside Chromium: elements that stick out
 * of the window to the side, the focused control hidden under something,
 * and axe-core's accessibility rules (contrast among them).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Elements whose box reaches past the window's right edge without a clipping ancestor; and the page's own sideways scroll. */
export async function horizontalOverflow(page: Page): Promise<{ scroll: number; elements: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1) continue;
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible' && p.getBoundingClientRect().right <= width + 1) {
          clipped = true;
          break;
        }
      }
      if (!clipped)
        out.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''} "${(el.textContent ?? '').trim().slice(0, 40)}" right=${Math.round(r.right)}`);
    }
    return { scroll: document.documentElement.scrollWidth - width, elements: out.slice(0, 10) };
  });
}

/** Whether the focused element is what the page shows at its centre (not under the header, the save bar or a dialog). */
export async function focusedIsVisible(page: Page): Promise<{ ok: boolean; what: string; hit?: string } | undefined> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return undefined;
    const r = el.getBoundingClientRect();
    const what = `${el.tagName.toLowerCase()}[data-testid=${el.getAttribute('data-testid') ?? ''}] "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}"`;
    if (r.width === 0 || r.height === 0) return { ok: true, what: `${what} (no box)` };
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const ok = hit !== null && (hit === el || el.contains(hit) || (hit.tagName === 'LABEL' && hit.contains(el)));
    return { ok, what, hit: hit ? `${hit.tagName.toLowerCase()}.${hit.getAttribute('class') ?? ''}` : 'nothing (off screen)' };
  });
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe-core's WCAG 2 A/AA rules on the page as it is; the serious and critical violations. The page's context must bypass the CSP. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}
