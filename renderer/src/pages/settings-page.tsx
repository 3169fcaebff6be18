/**
 * The config file as a form. Every keystroke is checked with the same schema
 * the engine loads the file with, so the form cannot save what `burrow run`
 * would refuse, and each problem shows next to its field in the same words.
 */
import { useEffect, useMemo, useState } from 'react';
import type { AppState, BurrowBridge, ConfigDocument, ImportedHost } from '../../../shared/api-contract';
import { validateConfig, type ConfigProblem } from '../../../shared/config-schema';
import { AlertChannels } from '../components/alert-channels';
import { DestinationChanges, DestinationSetup } from '../components/destination-changes';
import { HostEditor } from '../components/host-editor';
import { HostImport } from '../components/host-import';
import { JobEditor } from '../components/job-editor';
import { NotificationSettings } from '../components/notification-settings';
import { ProblemList } from '../components/problem-list';
import {
  documentFromDraft,
  draftFromDocument,
  draftProblems,
  hostFieldsFromImport,
  newHost,
  newJob,
  renameHost,
  type ConfigDraft,
  type Fields,
} from '../lib/config-draft';
import { useNow } from '../hooks/use-now';
import { destinationChanges } from '../lib/destination-changes';
import { errorConfigProblems, errorMessage } from '../lib/errors';
import { problemsByField } from '../lib/problems';

export interface SettingsPageProps {
  bridge: BurrowBridge;
  state: AppState;
  /** A document to start from instead of the file (hosts imported on the welcome page, not saved yet). */
  initialDocument?: ConfigDocument | undefined;
  /** Whether the form holds edits not saved yet, so leaving can ask first. */
  onUnsaved?: (unsaved: boolean) => void;
}

type SaveOutcome = { ok: true } | { ok: false; message: string; problems: ConfigProblem[]; forDocument: string };

/** Hosts, jobs, `save-config` (`save-ok` / `save-error`), and the app's own settings. */
export function SettingsPage({ bridge, state, initialDocument, onUnsaved }: SettingsPageProps) {
  const [draft, setDraft] = useState<ConfigDraft>();
  const [savedJson, setSavedJson] = useState<string>();
  const [path, setPath] = useState(state.configPath);
  const [loadError, setLoadError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<SaveOutcome>();
  const [importing, setImporting] = useState(false);
  const [acknowledged, setAcknowledged] = useState(false);
  const now = useNow(30_000);
  const [storeKeys, setStoreKeys] = useState<string[]>([]);
  useEffect(() => {
    let alive = true;
    bridge.listKeys({}).then(
      (o) => alive && setStoreKeys(o.keys.map((k) => k.name)),
      () => undefined, // the identity field still takes a file without the store's names
    );
    return () => {
      alive = false;
    };
  }, [bridge]);

  useEffect(() => {
    let alive = true;
    bridge.getConfig({}).then(
      (res) => {
        if (!alive) return;
        setPath(res.path);
        // What is saved, in the form's own shape: loading (or a config not written yet) is no change.
        setSavedJson(JSON.stringify(documentFromDraft(draftFromDocument(res.document))));
        setDraft(draftFromDocument(initialDocument ?? res.document));
      },
      (err: unknown) => alive && setLoadError(errorMessage(err)),
    );
    return () => {
      alive = false;
    };
  }, [bridge, initialDocument]);

  const document = useMemo(() => (draft ? documentFromDraft(draft) : undefined), [draft]);
  const problems = useMemo(() => {
    if (!draft || !document) return [];
    const result = validateConfig(document);
    return [...draftProblems(draft), ...(result.ok ? [] : result.problems)];
  }, [draft, document]);
  // After a refused save, the engine's problems (the one authority) stand at their fields until the draft changes.
  const engineSaid = outcome && !outcome.ok && outcome.forDocument === JSON.stringify(document) && outcome.problems.length > 0 ? outcome.problems : undefined;
  const byField = useMemo(() => problemsByField(engineSaid ?? problems), [engineSaid, problems]);
  const dirty = document !== undefined && savedJson !== undefined && JSON.stringify(document) !== savedJson;
  useEffect(() => {
    onUnsaved?.(dirty);
    if (!dirty) return undefined;
    // Closing or reloading the window with edits asks too.
    const ask = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [dirty, onUnsaved]);
  useEffect(() => () => onUnsaved?.(false), [onUnsaved]);

  if (loadError)
    return (
      <p className="error-text" role="alert">
        {loadError}
      </p>
    );
  if (!draft || !document) return <p className="muted">Loading the config…</p>;

  const update = (change: (d: ConfigDraft) => ConfigDraft) => {
    setDraft((d) => (d ? change(d) : d));
    setOutcome(undefined);
  };
  const setHostFields = (uid: number, fields: Fields) => update((d) => ({ ...d, hosts: d.hosts.map((h) => (h.uid === uid ? { ...h, fields } : h)) }));
  const setJob = (uid: number, job: Fields) => update((d) => ({ ...d, jobs: d.jobs.map((j) => (j.uid === uid ? { ...j, job } : j)) }));
  const addImported = (hosts: ImportedHost[]) => {
    update((d) => {
      const taken = new Set(d.hosts.map((h) => h.name));
      const fresh = hosts.filter((h) => !taken.has(h.name));
      const added = draftFromDocument({ hosts: Object.fromEntries(fresh.map((h) => [h.name, hostFieldsFromImport(h)])) }).hosts;
      return { ...d, hosts: [...d.hosts, ...added] };
    });
    setImporting(false);
  };

  async function save() {
    if (!document) return;
    setSaving(true);
    setOutcome(undefined);
    try {
      await bridge.saveConfig({ document });
      setSavedJson(JSON.stringify(document));
      setAcknowledged(false);
      setOutcome({ ok: true });
    } catch (err) {
      // The engine's own validation: its problems go next to the fields they name.
      setOutcome({ ok: false, message: errorMessage(err), problems: errorConfigProblems(err), forDocument: JSON.stringify(document) });
    } finally {
      setSaving(false);
    }
  }

  const hostNames = draft.hosts.map((h) => h.name);
  const valid = problems.length === 0;
  const saved = savedJson ? (JSON.parse(savedJson) as ConfigDocument) : undefined;
  const changes = destinationChanges(saved, document);

  return (
    <section className="page settings" aria-labelledby="settings-title" data-problems-from={engineSaid ? 'engine' : 'draft'}>
      <div className="page-head">
        <h2 id="settings-title">Settings</h2>
      </div>
      <p className="muted">
        Editing <code>{path}</code>
      </p>

      <section aria-labelledby="hosts-title">
        <div className="section-head">
          <h3 id="hosts-title">Hosts</h3>
          <div className="actions">
            <button type="button" data-testid="settings-import" onClick={() => setImporting(true)} disabled={importing}>
              Import from ~/.ssh/config
            </button>
            <button type="button" data-testid="add-host" onClick={() => update((d) => ({ ...d, hosts: [...d.hosts, newHost(d)] }))}>
              Add host
            </button>
          </div>
        </div>
        {importing ? (
          <HostImport bridge={bridge} existing={hostNames} addLabel="Add to the form" onAdd={addImported} onCancel={() => setImporting(false)} />
        ) : null}
        {draft.hosts.length === 0 ? <p className="muted">No hosts yet: a job needs a source and a destination.</p> : null}
        {draft.hosts.map((host, i) => (
          <HostEditor
            key={host.uid}
            bridge={bridge}
            index={i}
            host={host}
            otherNames={hostNames.filter((_, j) => j !== i)}
            storeKeys={storeKeys}
            problems={byField}
            onRename={(name) => update((d) => renameHost(d, host.uid, name))}
            onChange={(fields) => setHostFields(host.uid, fields)}
            onRemove={() => update((d) => ({ ...d, hosts: d.hosts.filter((h) => h.uid !== host.uid) }))}
          />
        ))}
      </section>

      <section aria-labelledby="jobs-title">
        <div className="section-head">
          <h3 id="jobs-title">Jobs</h3>
          <button type="button" data-testid="add-job" onClick={() => update((d) => ({ ...d, jobs: [...d.jobs, newJob(d)] }))}>
            Add job
          </button>
        </div>
        {draft.jobs.length === 0 ? <p className="muted">No jobs yet: nothing is backed up until there is one.</p> : null}
        {draft.jobs.map((job, i) => (
          <JobEditor
            key={job.uid}
            index={i}
            job={job.job}
            hostNames={hostNames}
            problems={byField}
            onChange={(next) => setJob(job.uid, next)}
            onRemove={() => update((d) => ({ ...d, jobs: d.jobs.filter((j) => j.uid !== job.uid) }))}
          />
        ))}
      </section>

      <AlertChannels
        bridge={bridge}
        state={state}
        alerts={draft.rest.alerts}
        jobNames={draft.jobs.map((j) => (typeof j.job.name === 'string' ? j.job.name : '')).filter(Boolean)}
        problems={byField}
        now={now}
        onChange={(alerts) => update((d) => ({ ...d, rest: { ...d.rest, alerts } }))}
      />

      <ProblemList problems={problems} title="Fix these before saving" testId="config-problems-list" />
      <DestinationChanges changes={changes} acknowledged={acknowledged} onAcknowledge={setAcknowledged} />

      <div className="save-bar">
        <button
          type="button"
          className="primary"
          data-testid="save-config"
          disabled={saving || (!dirty && valid) || (changes.length > 0 && !acknowledged)}
          onClick={() => void save()}
        >
          {saving ? 'Saving…' : 'Save'}
        </button>
        <span className="muted" aria-live="polite">
          {!valid ? `${problems.length} problem${problems.length === 1 ? '' : 's'} to fix` : dirty ? 'Unsaved changes' : outcome?.ok ? '' : 'No changes'}
        </span>
        {outcome?.ok ? (
          <span className="ok-text" data-testid="save-ok" role="status">
            Saved
          </span>
        ) : null}
      </div>
      {outcome && !outcome.ok ? (
        <div className="save-error" data-testid="save-error" role="alert">
          <p className="error-text">{outcome.message}</p>
          <ProblemList problems={outcome.problems} title="The engine refused it because" />
        </div>
      ) : null}

      <DestinationSetup bridge={bridge} jobs={state.jobs.map((j) => j.job)} />

      <NotificationSettings bridge={bridge} state={state} />
    </section>
  );
}
