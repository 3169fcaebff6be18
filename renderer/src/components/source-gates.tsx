/**
 * The source key's gate on each source host: whether it still admits the
 * jobs as configured (a job's paths, holding dir, compression, sudo or
 * destination changed since it was written), and the update, which needs
 * the host's password once, like installing the key.
 */
import { useState } from 'react';
import type { BurrowBridge, GateStatusView, GateWriteView, KeyHostView } from '../../../shared/api-contract';
import { errorMessage } from '../lib/errors';
import { Field } from './field';

interface GateRowState {
  status?: GateStatusView;
  written?: GateWriteView;
  error?: string;
  busy?: boolean;
}

/** `gate-<host>` rows with `gate-check-<host>`, `gate-state-<host>`, `gate-password-<host>`, `gate-update-<host>`. */
export function SourceGates({ bridge, hosts }: { bridge: BurrowBridge; hosts: KeyHostView[] }) {
  const sources = hosts.filter((h) => h.sourceJobs.length > 0);
  const [rows, setRows] = useState<Record<string, GateRowState>>({});
  const [passwords, setPasswords] = useState<Record<string, string>>({});
  if (sources.length === 0) return null;
  const patch = (host: string, p: GateRowState) => setRows((r) => ({ ...r, [host]: { ...r[host], ...p } }));

  async function check(host: string) {
    patch(host, { busy: true, error: undefined });
    try {
      patch(host, { status: await bridge.gateStatus({ host }), busy: false });
    } catch (err) {
      patch(host, { error: errorMessage(err), busy: false });
    }
  }

  async function update(host: string) {
    patch(host, { busy: true, error: undefined });
    try {
      const written = await bridge.updateGate({ host, password: passwords[host] ?? '' });
      patch(host, { written, status: { state: 'current', changes: [], command: '' }, busy: false });
    } catch (err) {
      patch(host, { error: errorMessage(err), busy: false });
    } finally {
      setPasswords((p) => ({ ...p, [host]: '' }));
    }
  }

  return (
    <section className="card source-gates" aria-labelledby="gates-title">
      <h3 id="gates-title">Source gates</h3>
      <p className="muted">
        A source key runs only Burrow's own commands, with exactly the paths of the jobs that use the host. When a job's paths, holding dir, compression, sudo
        or destination change, its gate must be updated with the host's password.
      </p>
      {sources.map((h) => {
        const row = rows[h.name] ?? {};
        const stale = row.status?.state === 'stale';
        return (
          <div key={h.name} className="gate-row" data-testid={`gate-${h.name}`}>
            <div className="actions">
              <strong>{h.name}</strong>
              <span className="muted small">jobs {h.sourceJobs.join(', ')}</span>
              <button type="button" data-testid={`gate-check-${h.name}`} disabled={row.busy} onClick={() => void check(h.name)}>
                {row.busy ? 'Checking…' : 'Check gate'}
              </button>
            </div>
            {row.status ? (
              <p data-testid={`gate-state-${h.name}`} data-state={row.status.state} className={stale ? 'error-text' : undefined}>
                {row.status.state === 'none'
                  ? 'No gate: this host logs in with a key that is not a source key.'
                  : stale
                    ? `Out of date: ${row.status.changes.join('; ')}.`
                    : 'The gate admits every job as configured.'}
              </p>
            ) : null}
            {stale ? (
              <form
                className="actions"
                onSubmit={(e) => {
                  e.preventDefault();
                  void update(h.name);
                }}
              >
                <Field label={`Password of ${h.user}@${h.hostname}`}>
                  {(control) => (
                    <input
                      {...control}
                      type="password"
                      autoComplete="off"
                      data-testid={`gate-password-${h.name}`}
                      value={passwords[h.name] ?? ''}
                      onChange={(e) => setPasswords((p) => ({ ...p, [h.name]: e.target.value }))}
                    />
                  )}
                </Field>
                <button type="submit" className="primary" data-testid={`gate-update-${h.name}`} disabled={row.busy || !passwords[h.name]}>
                  Update gate
                </button>
              </form>
            ) : null}
            {row.written?.warnings.map((w) => (
              <p key={w} className="muted small">
                {w}
              </p>
            ))}
            {row.written && row.written.sudoers.length > 0 ? (
              <>
                <p className="small">For the jobs with sudo, put these lines in /etc/sudoers.d/burrow on {h.name} (with visudo):</p>
                <pre className="mono small">{row.written.sudoers.join('\n')}</pre>
              </>
            ) : null}
            {row.error ? (
              <p role="alert" className="error-text" data-testid={`gate-error-${h.name}`}>
                {row.error}
              </p>
            ) : null}
          </div>
        );
      })}
    </section>
  );
}
