/**
 * Remote commands are argument arrays; this turns them into the one string an
 * SSH exec request carries, quoting every argument for a POSIX shell.
 */

/** Quotes one argument so a POSIX shell reads it back byte for byte. */
export function shQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('an argument cannot contain a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** `['ls', '-l', 'a b']` -> `ls -l 'a b'` */
export function shCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(shQuote).join(' ');
}

/**
 * A fixed shell script with its inputs passed as positional parameters
 * ("$1", "$2", ...), never spliced into the script text.
 */
export function shScript(script: string, args: readonly string[]): string[] {
  return ['sh', '-c', script, 'burrow', ...args];
}
