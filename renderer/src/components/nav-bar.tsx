/**
 * The places of the app as real buttons, so Tab and Enter reach them
 * and the current one is announced.
 */
import type { PageName } from '../lib/hash-route';

const PAGES: { name: PageName; label: string }[] = [
  { name: 'status', label: 'Status' },
  { name: 'history', label: 'History' },
  { name: 'backups', label: 'Backups' },
  { name: 'check', label: 'Check' },
  { name: 'keys', label: 'Keys' },
  { name: 'settings', label: 'Settings' },
];

export interface NavBarProps {
  current: PageName;
  onNavigate: (page: PageName) => void;
}

/** `nav-status`, `nav-history`, `nav-backups`, `nav-check`, `nav-keys`, `nav-settings`; the current one has `aria-current="page"`. */
export function NavBar({ current, onNavigate }: NavBarProps) {
  return (
    <nav className="nav" aria-label="Main">
      <ul>
        {PAGES.map((p) => (
          <li key={p.name}>
            <button type="button" data-testid={`nav-${p.name}`} aria-current={p.name === current ? 'page' : undefined} onClick={() => onNavigate(p.name)}>
              {p.label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
