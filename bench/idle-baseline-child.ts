/**
 * The floor under the idle engine: the same runtime (`node --import tsx`)
 * doing nothing at all, started next to idle-child.ts so the two can be
 * compared. Prints "ready", then waits for SIGTERM.
 */
const keepAlive = setInterval(() => {}, 2 ** 30);
process.on('SIGTERM', () => {
  clearInterval(keepAlive);
  process.exit(0);
});
process.stdout.write('ready\n');
