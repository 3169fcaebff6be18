/**
 * The engine with nothing to do, for the idle-cost measurement: opened on
 * the config the bench writes (a job whose slot is hours away), started up
 * and armed as `burrow daemon` does, then left alone until SIGTERM. Prints
 * "ready" once armed so the parent starts measuring only then.
 *
 * Usage: node --import tsx bench/idle-child.ts CONFIG.json STATE_DIR
 */
import { readFileSync } from 'node:fs';
import { validateConfig } from '../shared/config-schema';
import { Engine } from '../electron/engine/engine';

const [configPath, stateDir] = process.argv.slice(2);
if (!configPath || !stateDir) throw new Error('usage: idle-child.ts CONFIG.json STATE_DIR');
const parsed = validateConfig(JSON.parse(readFileSync(configPath, 'utf8')));
if (!parsed.ok) throw new Error(`idle-child: bad config: ${JSON.stringify(parsed.problems)}`);
const engine = await Engine.open({ config: parsed.config, stateDir });
let events = 0;
engine.on('event', () => events++);
await engine.scheduler.startUp();
engine.scheduler.arm();
process.on('SIGTERM', () => {
  void engine.shutdown().then(() => {
    process.stdout.write(`events ${events}\n`);
    process.exit(0);
  });
});
process.stdout.write('ready\n');
