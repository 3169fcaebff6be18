/**
 * Settings: where notices go besides the desktop (the config's
 * `alerts.channels`), each channel with its fields, its health, and a "Send a
 * test" button. The fields are checked by the config's own schema, so a
 * problem shows under its field in the words `burrow daemon` would print.
 * Secrets are never typed here: a channel names an environment variable or
 * a private file that holds them.
 */
import { useState } from 'react';
import type { AppState, BurrowBridge } from '../../../shared/api-contract';
import { CHANNEL_TYPES, EMAIL_SECURITY, WEBHOOK_PRESETS, type ChannelType } from '../../../shared/alerts-schema';
import type { ChannelStatus } from '../../../shared/channel-status';
import { isRecord, parseNumberInput, uniqueName, withField, type Fields } from '../lib/config-draft';
import { errorMessage } from '../lib/errors';
import { formatAgo, formatIn } from '../lib/format';
import { problemsFor, type ProblemMap } from '../lib/problems';
import { Field } from './field';
import { LinesInput } from './lines-input';

export interface AlertChannelsProps {
  bridge: BurrowBridge;
  state: AppState;
  /** The draft's `alerts` value (whatever the file holds). */
  alerts: unknown;
  jobNames: readonly string[];
  problems: ProblemMap;
  now: number;
  onChange: (alerts: Fields) => void;
}

interface FieldSpec {
  key: string;
  label: string;
  kind: 'text' | 'number' | 'select' | 'lines' | 'json';
  options?: readonly string[];
  placeholder?: string;
  hint?: string;
  /** Shown only when this holds for the channel. */
  when?: (c: Fields) => boolean;
}

/** The fields of each type of channel; the compiler asks for a new type's. */
const FIELDS: Record<ChannelType, FieldSpec[]> = {
  email: [
    { key: 'host', label: 'SMTP server', kind: 'text', placeholder: 'smtp.example.com' },
    { key: 'port', label: 'Port', kind: 'number', placeholder: '587 (starttls), 465 (tls)' },
    { key: 'security', label: 'Security', kind: 'select', options: EMAIL_SECURITY },
    { key: 'user', label: 'Login', kind: 'text', placeholder: 'burrow@example.com' },
    { key: 'passwordEnv', label: 'Password from variable', kind: 'text', placeholder: 'BURROW_SMTP_PASSWORD', hint: 'The environment variable that holds it.' },
    { key: 'passwordFile', label: 'or from file', kind: 'text', placeholder: '~/.config/burrow/smtp-password', hint: 'Readable by you alone (chmod 600).' },
    { key: 'caFile', label: 'CA certificate (PEM)', kind: 'text', hint: 'Only for a server whose certificate no public CA signed.' },
    { key: 'from', label: 'From', kind: 'text', placeholder: 'burrow@example.com' },
    { key: 'to', label: 'To (one per line)', kind: 'lines', placeholder: 'ops@example.com' },
  ],
  webhook: [
    { key: 'preset', label: 'Kind', kind: 'select', options: WEBHOOK_PRESETS, hint: 'ntfy, Gotify, Slack-compatible, or JSON of your own shape.' },
    { key: 'url', label: 'URL', kind: 'text', placeholder: 'https://ntfy.sh/my-backups' },
    { key: 'tokenEnv', label: 'Token from variable', kind: 'text', placeholder: 'BURROW_NTFY_TOKEN' },
    { key: 'tokenFile', label: 'or from file', kind: 'text' },
    {
      key: 'template',
      label: 'Body template (JSON)',
      kind: 'json',
      placeholder: '{"text": "{{title}}: {{body}}"}',
      hint: 'Placeholders: {{title}} {{body}} {{kind}} {{job}} {{urgency}} {{at}} {{runId}}. Blank: a plain JSON notice.',
      when: (c) => (c.preset ?? 'json') === 'json',
    },
  ],
  ping: [],
};

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

function statusLine(s: ChannelStatus | undefined, now: number): string {
  if (!s) return 'Not saved yet: save to use and test it.';
  if (s.state === 'failing') {
    return `Failing${s.failingSince ? ` since ${formatAgo(s.failingSince, now)}` : ''}: ${s.lastError ?? 'unknown error'}; ${s.pending} waiting${s.nextRetryAt ? `, next try ${formatIn(s.nextRetryAt, now)}` : ''}`;
  }
  if (s.state === 'ok') return `Working: last delivery ${formatAgo(s.lastSentAt, now)}`;
  return 'Nothing sent yet.';
}

/** `alerts-section`, per channel `channel-<i>` with `channel-test-<i>`, and `alerts-test-all`. */
export function AlertChannels({ bridge, state, alerts, jobNames, problems, now, onChange }: AlertChannelsProps) {
  const current: Fields = isRecord(alerts) ? alerts : {};
  const channels: Fields[] = Array.isArray(current.channels) ? current.channels.map((c) => (isRecord(c) ? c : {})) : [];
  const [results, setResults] = useState<Record<string, { ok: boolean; message: string }>>({});
  const [busy, setBusy] = useState<string>();
  const statusOf = (name: string) => state.alerts?.find((s) => s.name === name);

  const setChannels = (next: Fields[]) => onChange({ ...current, channels: next });
  const setChannel = (i: number, c: Fields) => setChannels(channels.map((old, j) => (j === i ? c : old)));
  const add = (type: ChannelType) => {
    const name = uniqueName(type === 'email' ? 'mail' : type, ['desktop', ...channels.map((c) => text(c.name))]);
    const fresh: Fields =
      type === 'ping' ? { type, name, jobs: {} } : type === 'email' ? { type, name, host: '', from: '', to: [] } : { type, name, preset: 'ntfy', url: '' };
    setChannels([...channels, fresh]);
  };

  async function test(channel?: string) {
    const key = channel ?? '*';
    setBusy(key);
    try {
      const out = await bridge.testChannel(channel ? { channel } : {});
      setResults((r) => ({ ...r, ...Object.fromEntries(out.map((o) => [o.name, { ok: o.ok, message: o.message }])) }));
    } catch (err) {
      setResults((r) => ({ ...r, [key]: { ok: false, message: errorMessage(err) } }));
    } finally {
      setBusy(undefined);
    }
  }

  const result = (name: string) => {
    const r = results[name];
    return r ? (
      <span className={r.ok ? 'ok-text' : 'error-text'} role="status" data-testid={`channel-result-${name}`}>
        {r.ok ? 'Test sent' : r.message}
      </span>
    ) : null;
  };
  const desktop = statusOf('desktop');

  return (
    <section aria-labelledby="alerts-title" data-testid="alerts-section">
      <div className="section-head">
        <h3 id="alerts-title">Alerts</h3>
        <div className="actions">
          {CHANNEL_TYPES.map((t) => (
            <button type="button" key={t} data-testid={`add-channel-${t}`} onClick={() => add(t)}>
              Add {t === 'ping' ? 'ping URLs' : t}
            </button>
          ))}
          <button type="button" data-testid="alerts-test-all" disabled={busy !== undefined} onClick={() => void test()}>
            Send a test to every channel
          </button>
        </div>
      </div>
      <p className="muted">
        The desktop always gets notices (see Notifications below){desktop ? `: ${statusLine(desktop, now).toLowerCase().replace(/\.$/, '')}` : ''}.{' '}
        {result('desktop')} {result('*')}
      </p>
      {channels.map((c, i) => {
        const type = (CHANNEL_TYPES as readonly string[]).includes(text(c.type)) ? (c.type as ChannelType) : undefined;
        const at = (key: string, nested = false) => problemsFor(problems, `alerts.channels[${i}].${key}`, nested);
        const set = (key: string, value: unknown) => setChannel(i, withField(c, key, value));
        const name = text(c.name);
        const saved = statusOf(name);
        return (
          <fieldset className="card editor" key={i} data-testid={`channel-${i}`}>
            <legend>
              {type ?? 'channel'} {name || '(unnamed)'}
            </legend>
            <p className={saved?.state === 'failing' ? 'error-text' : 'muted'} data-testid={`channel-status-${i}`}>
              {statusLine(saved, now)}
            </p>
            <div className="grid">
              <Field label="Name" errors={[...at('name'), ...at('type')]}>
                {(p) => <input {...p} data-testid={`channel-name-${i}`} value={name} onChange={(e) => set('name', e.target.value.trim())} spellCheck={false} />}
              </Field>
              {(type ? FIELDS[type] : [])
                .filter((f) => !f.when || f.when(c))
                .map((f) => (
                  <Field
                    key={f.key}
                    label={f.label}
                    hint={f.hint}
                    errors={at(f.key, f.kind === 'lines' || f.kind === 'json')}
                    className={f.kind === 'json' ? 'wide' : undefined}
                  >
                    {(p) => <SpecInput spec={f} value={c[f.key]} testId={`channel-${f.key}-${i}`} controlProps={p} onChange={(v) => set(f.key, v)} />}
                  </Field>
                ))}
              {type === 'ping'
                ? jobNames.map((job) => (
                    <Field
                      key={job}
                      label={`Ping URL for job ${job}`}
                      errors={at(`jobs.${job}`)}
                      hint="healthchecks.io-style: /start, the URL itself on success, /fail with the cause."
                    >
                      {(p) => (
                        <input
                          {...p}
                          data-testid={`channel-ping-${i}-${job}`}
                          placeholder="https://hc-ping.com/your-uuid"
                          value={text(isRecord(c.jobs) ? c.jobs[job] : '')}
                          onChange={(e) => set('jobs', withField(isRecord(c.jobs) ? c.jobs : {}, job, e.target.value.trim()))}
                          spellCheck={false}
                        />
                      )}
                    </Field>
                  ))
                : null}
              {type && type !== 'ping' ? (
                <div className="check-field">
                  <label>
                    <input type="checkbox" checked={c.notifySuccess === true} onChange={(e) => set('notifySuccess', e.target.checked || undefined)} />
                    Also on success
                  </label>
                </div>
              ) : null}
            </div>
            {problemsFor(problems, `alerts.channels[${i}].jobs`).map((m) => (
              <p key={m} className="field-error">
                {m}
              </p>
            ))}
            <div className="actions split">
              <span>
                <button type="button" data-testid={`channel-test-${i}`} disabled={!saved || busy !== undefined} onClick={() => void test(name)}>
                  Send a test
                </button>{' '}
                {result(name)}
              </span>
              <button type="button" className="danger" onClick={() => setChannels(channels.filter((_, j) => j !== i))}>
                Remove channel
              </button>
            </div>
          </fieldset>
        );
      })}
    </section>
  );
}

/** One field's control by its kind. */
function SpecInput({
  spec,
  value,
  testId,
  controlProps,
  onChange,
}: {
  spec: FieldSpec;
  value: unknown;
  testId: string;
  controlProps: object;
  onChange: (v: unknown) => void;
}) {
  const [jsonText, setJsonText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  switch (spec.kind) {
    case 'select':
      return (
        <select {...controlProps} data-testid={testId} value={text(value) || spec.options?.[0]} onChange={(e) => onChange(e.target.value)}>
          {spec.options?.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case 'lines':
      return (
        <LinesInput
          {...controlProps}
          data-testid={testId}
          rows={2}
          placeholder={spec.placeholder}
          value={Array.isArray(value) ? value.map(text) : []}
          onChange={(lines) => onChange(lines)}
          spellCheck={false}
        />
      );
    case 'json':
      return (
        <textarea
          {...controlProps}
          data-testid={testId}
          rows={3}
          className="mono"
          placeholder={spec.placeholder}
          value={jsonText}
          onChange={(e) => {
            setJsonText(e.target.value);
            if (e.target.value.trim() === '') return onChange(undefined);
            try {
              onChange(JSON.parse(e.target.value));
            } catch {
              // Half-typed JSON: the schema names the field until it parses.
              onChange(e.target.value);
            }
          }}
          spellCheck={false}
        />
      );
    default:
      return (
        <input
          {...controlProps}
          data-testid={testId}
          inputMode={spec.kind === 'number' ? 'numeric' : undefined}
          placeholder={spec.placeholder}
          value={text(value)}
          onChange={(e) => onChange(spec.kind === 'number' ? parseNumberInput(e.target.value) : e.target.value.trim())}
          spellCheck={false}
        />
      );
  }
}
