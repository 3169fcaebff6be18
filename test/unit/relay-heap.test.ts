/**
 * Every process that hosts the tunnel relay sets V8's heap flag
 * (electron/engine/relay-heap.ts) before anything else: the `burrow` launcher
 * as its first statement, the Electron main bundle before its first require
 * of anything. NODE_OPTIONS refuses the flag, so a refactor that drops one
 * of these would silently bring back a full GC every ~15 MiB relayed; the
 * bench (docs/performance.md, section 1) shows the cost.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { RELAY_HEAP_FLAGS } from '../../electron/engine/relay-heap';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'burrow-relay-heap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Loads a CommonJS bundle under node, recording, in order, each module it
 * requires and each v8.setFlagsFromString call, until it requires
 * `stopAt`; prints the record as JSON and exits there.
 */
const RECORDER = `
const Module = require('node:module');
const v8 = require('node:v8');
const { resolve } = require('node:path');
const bundle = resolve(process.argv[1]);
const events = [];
const setFlags = v8.setFlagsFromString;
v8.setFlagsFromString = (flags) => { events.push('flags ' + flags); return setFlags(flags); };
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (!isMain && parent && parent.filename === bundle) {
    events.push('require ' + request);
    if (request === process.env.STOP_AT) { process.stdout.write(JSON.stringify(events)); process.exit(0); }
  }
  return load.apply(this, arguments);
};
`;

describe('the relay heap flag', () => {
  it('is one this node knows (V8 only prints a warning for an unknown one)', () => {
    const r = spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(RELAY_HEAP_FLAGS)})`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const bogus = spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString('--heap-growing-percentt=400')`], { encoding: 'utf8' });
    expect(bogus.stderr).toMatch(/unrecognized flag/);
  });

  it('is set by the first statement of electron/cli/burrow.mjs, before the bundle or tsx is imported', () => {
    const path = join(ROOT, 'electron', 'cli', 'burrow.mjs');
    const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const imports = file.statements.filter(ts.isImportDeclaration);
    const first = file.statements.find((s) => !ts.isImportDeclaration(s));
    // Static imports run first; only node's own modules may come before the flag.
    for (const i of imports) expect((i.moduleSpecifier as ts.StringLiteral).text).toMatch(/^node:/);
    const v8 = imports.find((i) => (i.moduleSpecifier as ts.StringLiteral).text === 'node:v8');
    expect(v8?.importClause?.getText()).toBe('{ setFlagsFromString }');
    expect(first && ts.isExpressionStatement(first) && ts.isCallExpression(first.expression)).toBe(true);
    const call = (first as ts.ExpressionStatement).expression as ts.CallExpression;
    expect(call.expression.getText()).toBe('setFlagsFromString');
    expect(call.arguments.map((a) => (ts.isStringLiteral(a) ? a.text : a.getText()))).toEqual([RELAY_HEAP_FLAGS]);
  });

  it('is set by the Electron main bundle before it requires anything but node:v8', () => {
    const out = join(dir, 'build');
    const built = spawnSync(process.execPath, [join(ROOT, 'electron', 'build-electron.mjs'), '--outdir', out], { cwd: ROOT, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const recorder = join(dir, 'recorder.cjs');
    writeFileSync(recorder, RECORDER);
    const r = spawnSync(process.execPath, ['--require', recorder, join(out, 'electron', 'main.cjs')], {
      encoding: 'utf8',
      env: { ...process.env, STOP_AT: 'electron' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['require node:v8', `flags ${RELAY_HEAP_FLAGS}`, 'require electron']);
  }, 60_000);
});
