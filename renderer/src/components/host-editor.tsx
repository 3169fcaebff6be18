/**
 * One host of the config: how to reach it and the key it must present.
 * Problems are looked up by the field paths the schema reports
 * (`hosts.<name>.<field>`).
 */
import type { BurrowBridge } from '../../../shared/api-contract';
import { parseNumberInput, withField, type Fields, type HostDraft } from '../lib/config-draft';
import { problemsFor, type ProblemMap } from '../lib/problems';
import { Field } from './field';
import { HostKeyFetch } from './host-key-fetch';

export interface HostEditorProps {
  bridge: BurrowBridge;
  index: number;
  host: HostDraft;
  /** The other hosts' names: what proxyJump may name. */
  otherNames: readonly string[];
  /** The names of the keys in Burrow's store, offered as `burrow:NAME`. */
  storeKeys?: readonly string[];
  problems: ProblemMap;
  onRename: (name: string) => void;
  onChange: (fields: Fields) => void;
  onRemove: () => void;
}

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** `host-<i>` with `host-name-<i>`, `host-hostname-<i>`, `host-port-<i>`, `host-user-<i>`... */
export function HostEditor({ bridge, index, host, otherNames, storeKeys = [], problems, onRename, onChange, onRemove }: HostEditorProps) {
  const { fields, name } = host;
  const at = (key: string) => problemsFor(problems, `hosts.${name}.${key}`);
  const set = (key: string, value: unknown) => onChange(withField(fields, key, value));
  const port = typeof fields.port === 'number' ? fields.port : 22;
  const proxyJump = text(fields.proxyJump);
  const jumpChoices = [...new Set([...otherNames, ...(proxyJump ? [proxyJump] : [])])];

  return (
    <fieldset className="card editor" data-testid={`host-${index}`}>
      <legend>Host {name || '(unnamed)'}</legend>
      <div className="grid">
        <Field label="Name" errors={problemsFor(problems, `hosts.${name}`)} hint="How jobs refer to this host.">
          {(c) => (
            <input
              {...c}
              data-testid={`host-name-${index}`}
              value={name}
              onChange={(e) => onRename(e.target.value.trim())}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Hostname" errors={at('hostname')}>
          {(c) => (
            <input
              {...c}
              data-testid={`host-hostname-${index}`}
              value={text(fields.hostname)}
              onChange={(e) => set('hostname', e.target.value.trim())}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Port" errors={at('port')} errorTestId={`host-port-error-${index}`}>
          {(c) => (
            <input
              {...c}
              data-testid={`host-port-${index}`}
              inputMode="numeric"
              placeholder="22"
              value={text(fields.port)}
              onChange={(e) => set('port', parseNumberInput(e.target.value))}
            />
          )}
        </Field>
        <Field label="User" errors={at('user')}>
          {(c) => (
            <input
              {...c}
              data-testid={`host-user-${index}`}
              value={text(fields.user)}
              onChange={(e) => set('user', e.target.value.trim())}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field
          label="Identity file"
          errors={at('identityFile')}
          hint={
            storeKeys.length > 0
              ? 'Pick a key of Burrow’s store, or give a key file; blank: your ssh-agent.'
              : 'A key file, or a key of Burrow’s store (Keys page) as burrow:NAME; blank: your ssh-agent.'
          }
        >
          {(c) => (
            <>
              <input
                {...c}
                data-testid={`host-identity-${index}`}
                placeholder={storeKeys[0] ? `burrow:${storeKeys[0]}` : '~/.ssh/id_ed25519'}
                list={storeKeys.length > 0 ? `store-keys-${index}` : undefined}
                value={text(fields.identityFile)}
                onChange={(e) => set('identityFile', e.target.value)}
                spellCheck={false}
              />
              {storeKeys.length > 0 ? (
                <datalist id={`store-keys-${index}`}>
                  {storeKeys.map((k) => (
                    <option key={k} value={`burrow:${k}`}>
                      {`${k} (Burrow's key store)`}
                    </option>
                  ))}
                </datalist>
              ) : null}
            </>
          )}
        </Field>
        <Field label="Proxy jump" errors={at('proxyJump')}>
          {(c) => (
            <select {...c} data-testid={`host-proxyjump-${index}`} value={proxyJump} onChange={(e) => set('proxyJump', e.target.value)}>
              <option value="">(none: connect directly)</option>
              {jumpChoices.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field
        label="Pinned host key"
        className="wide"
        errors={at('hostKey')}
        hint={fields.hostKey ? 'Runs stop before logging in if the host presents any other key.' : 'Not pinned yet: runs to this host will refuse to log in.'}
      >
        {(c) => (
          <input
            {...c}
            data-testid={`host-hostkey-${index}`}
            className="mono"
            placeholder="ssh-ed25519 AAAA… or SHA256:…"
            value={text(fields.hostKey)}
            onChange={(e) => set('hostKey', e.target.value.trim())}
            spellCheck={false}
          />
        )}
      </Field>
      <div className="actions split">
        <HostKeyFetch
          bridge={bridge}
          index={index}
          hostname={text(fields.hostname)}
          port={port}
          name={host.name}
          user={text(fields.user)}
          pinned={typeof fields.hostKey === 'string' ? fields.hostKey : undefined}
          onPin={(keyLine) => set('hostKey', keyLine)}
        />
        <button type="button" className="danger" data-testid={`host-remove-${index}`} onClick={onRemove}>
          Remove host
        </button>
      </div>
    </fieldset>
  );
}
