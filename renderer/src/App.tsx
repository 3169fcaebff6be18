/**
 * The window: a header with the navigation, and the page in view. It knows
 * only the bridge it is given, never which shell it runs in.
 */
import { useState } from 'react';
import type { BurrowBridge, ConfigDocument } from '../../shared/api-contract';
import { LeaveDialog } from './components/leave-dialog';
import { NavBar } from './components/nav-bar';
import { useAppState } from './hooks/use-app-state';
import { useFocusClear } from './hooks/use-focus-clear';
import { useView } from './hooks/use-view';
import type { Route } from './lib/hash-route';
import { BackupsPage } from './pages/backups-page';
import { CheckPage } from './pages/check-page';
import { HistoryPage } from './pages/history-page';
import { KeysPage } from './pages/keys-page';
import { SettingsPage } from './pages/settings-page';
import { StatusPage } from './pages/status-page';
import { WelcomePage } from './pages/welcome-page';

export interface AppProps {
  bridge: BurrowBridge;
}

/** The whole UI. Unconfigured, the Status place shows the welcome page. */
export function App({ bridge }: AppProps) {
  const { state, error, runsVersion } = useAppState(bridge);
  const [view, go] = useView();
  const [demo, setDemo] = useState<{ started: boolean; message: string }>();
  /** Settings has edits not saved yet: leaving it asks first. */
  const [unsaved, setUnsaved] = useState(false);
  const [leaving, setLeaving] = useState<{ route: Route; document?: ConfigDocument | undefined }>();
  const { page, visit } = view;
  useFocusClear();
  const navigate = (route: Route, document?: ConfigDocument) => {
    if (page === 'settings' && unsaved) setLeaving({ route, document });
    else go(route, document);
  };

  let body;
  if (!state) {
    body = error ? null : <p className="muted">Loading…</p>;
  } else if (page === 'status') {
    body = state.configured ? (
      <StatusPage bridge={bridge} state={state} onOpenRun={(runId) => navigate({ page: 'history', runId })} />
    ) : (
      <WelcomePage bridge={bridge} state={state} onDemo={setDemo} onOpenSettings={(doc) => navigate({ page: 'settings' }, doc)} />
    );
  } else if (page === 'history') {
    // Keyed by visit: asked for again while in view (a notification's run, a nav click), the page starts afresh.
    body = <HistoryPage key={visit} bridge={bridge} runsVersion={runsVersion} jobs={state.jobs.map((j) => j.job)} initialRunId={view.runId} />;
  } else if (page === 'backups') {
    body = <BackupsPage key={visit} bridge={bridge} state={state} />;
  } else if (page === 'check') {
    body = <CheckPage bridge={bridge} state={state} />;
  } else if (page === 'keys') {
    body = <KeysPage key={visit} bridge={bridge} state={state} />;
  } else {
    body = <SettingsPage key={visit} bridge={bridge} state={state} initialDocument={view.document} onUnsaved={setUnsaved} />;
  }

  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">Burrow</h1>
        <NavBar current={page} onNavigate={(next) => navigate({ page: next })} />
        {state?.paused ? (
          <span className="pill" title="The schedule is paused">
            paused
          </span>
        ) : null}
      </header>
      <main id="main">
        {error ? (
          <p className="error-text banner banner-error" data-testid="app-error" role="alert">
            {error}
          </p>
        ) : null}
        {demo ? (
          <div className={`notice demo-notice${demo.started ? '' : ' error-text'}`} role="status">
            <p data-testid="demo-message" data-started={demo.started}>
              {demo.message}
            </p>
            <button type="button" onClick={() => setDemo(undefined)}>
              Dismiss
            </button>
          </div>
        ) : null}
        {body}
      </main>
      {leaving ? (
        <LeaveDialog
          onStay={() => setLeaving(undefined)}
          onLeave={() => {
            setUnsaved(false);
            setLeaving(undefined);
            go(leaving.route, leaving.document);
          }}
        />
      ) : null}
    </div>
  );
}
