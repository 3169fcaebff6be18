/**
 * The first thing a new install shows: three ways to get a working config,
 * and what is wrong with the one on disk, if there is one.
 */
import { useState } from 'react';
import type { AppState, BurrowBridge, ConfigDocument, ImportedHost } from '../../../shared/api-contract';
import { HostImport } from '../components/host-import';
import { ProblemList } from '../components/problem-list';
import { mergeImportedHosts } from '../lib/config-draft';
import { errorMessage, errorProblems } from '../lib/errors';

export interface WelcomePageProps {
  bridge: BurrowBridge;
  state: AppState;
  /**
   * What starting the demo said. The app shows it above whichever page is in
   * view, because the demo's config turns this page into the status page.
   */
  onDemo: (result: { started: boolean; message: string }) => void;
  /** Go to Settings; with a document when the import could not be saved as it is. */
  onOpenSettings: (document?: ConfigDocument) => void;
}

/** `welcome` with `welcome-import`, `welcome-manual`, `welcome-demo`. */
export function WelcomePage({ bridge, state, onDemo, onOpenSettings }: WelcomePageProps) {
  const [importing, setImporting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function addHosts(hosts: ImportedHost[]) {
    setBusy(true);
    setError(undefined);
    try {
      const current = await bridge.getConfig({});
      const { document } = mergeImportedHosts(current.document, hosts);
      let saved = true;
      // Hosts from ssh often lack what Burrow needs (a user, a pin): then the form shows what to fill in.
      await bridge.saveConfig({ document }).catch((err: unknown) => {
        if (errorProblems(err).length === 0) throw err;
        saved = false;
      });
      onOpenSettings(saved ? undefined : document);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function startDemo() {
    setBusy(true);
    setError(undefined);
    try {
      onDemo(await bridge.startDemo({}));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page welcome" data-testid="welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title">Set up Burrow</h2>
      <p>
        Burrow backs up a server that can reach nothing (the <em>source</em>) to a backup host (the <em>destination</em>), through a tunnel this computer
        relays. It needs both hosts and one job to start.
      </p>
      {state.configProblems.length > 0 ? (
        <ProblemList problems={state.configProblems} title={`The config at ${state.configPath} does not load:`} testId="config-problems" />
      ) : null}
      <div className="choices">
        <button type="button" className="choice" data-testid="welcome-import" disabled={busy} onClick={() => setImporting(true)}>
          <strong>Import hosts from ~/.ssh/config</strong>
          <span>Start from the hosts your ssh already knows.</span>
        </button>
        <button type="button" className="choice" data-testid="welcome-manual" disabled={busy} onClick={() => onOpenSettings()}>
          <strong>Add a source and a destination by hand</strong>
          <span>Type in the hosts and the job yourself.</span>
        </button>
        <button type="button" className="choice" data-testid="welcome-demo" disabled={busy} onClick={() => void startDemo()}>
          <strong>Start the demo</strong>
          <span>A throw-away source and destination on this machine, to see a run end to end.</span>
        </button>
      </div>
      {importing ? <HostImport bridge={bridge} busy={busy} onAdd={(hosts) => void addHosts(hosts)} onCancel={() => setImporting(false)} /> : null}
      {busy ? (
        <p className="muted" role="status">
          Working…
        </p>
      ) : null}
      {error ? (
        <p className="error-text" data-testid="welcome-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
