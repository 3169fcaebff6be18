/**
 * Keeps the focused control in sight: the header sticks to the top and the
 * Settings save bar to the bottom, and a control tabbed to under either is
 * scrolled clear of it (the stylesheet's scroll-padding does the same for
 * most cases; this covers the rest, such as a bar taller at 800x600).
 */
import { useEffect } from 'react';

const MARGIN = 8;

export function useFocusClear(): void {
  useEffect(() => {
    const onFocus = (e: FocusEvent) => {
      const el = e.target;
      if (!(el instanceof HTMLElement) || el === document.body) return;
      const r = el.getBoundingClientRect();
      const header = document.querySelector('.topbar');
      const bar = document.querySelector('.save-bar');
      if (bar?.contains(el) || header?.contains(el)) return;
      const top = header ? header.getBoundingClientRect().bottom : 0;
      const bottom = bar ? bar.getBoundingClientRect().top : window.innerHeight;
      if (r.bottom > bottom - MARGIN) window.scrollBy({ top: r.bottom - bottom + MARGIN * 2 });
      else if (r.top < top + MARGIN) window.scrollBy({ top: r.top - top - MARGIN * 2 });
    };
    document.addEventListener('focusin', onFocus);
    return () => document.removeEventListener('focusin', onFocus);
  }, []);
}
