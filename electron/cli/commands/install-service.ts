import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { appRoot } from '../app-root';
import type { CommandContext } from '../main';

/** The systemd user unit that runs `burrow daemon`. */
export function serviceUnit(node: string, burrow: string, configPath: string): string {
  return `[Unit]
Description=Burrow: daily backups through a reverse SSH tunnel
After=network-online.target

[Service]
Type=simple
ExecStart=${node} ${burrow} daemon --config ${configPath}
Restart=on-failure
RestartSec=30
# SIGTERM cancels a run in flight; teardown needs a moment.
TimeoutStopSec=60

[Install]
WantedBy=default.target
`;
}

/** `burrow install-service`: writes ~/.config/systemd/user/burrow.service and says how to enable it. */
export async function installServiceCommand({ io, configPath }: CommandContext): Promise<number> {
  const burrow = join(appRoot(), 'electron', 'cli', 'burrow.mjs');
  const unitDir = join(process.env.XDG_CONFIG_HOME?.startsWith('/') ? process.env.XDG_CONFIG_HOME : join(homedir(), '.config'), 'systemd', 'user');
  const path = join(unitDir, 'burrow.service');
  await mkdir(unitDir, { recursive: true });
  await writeFile(path, serviceUnit(process.execPath, burrow, resolve(configPath)));
  io.out(`wrote ${path}
enable and start it with:
  systemctl --user daemon-reload
  systemctl --user enable --now burrow.service
to keep it running while you are logged out:
  loginctl enable-linger ${process.env.USER ?? '$USER'}
follow its log with:
  journalctl --user -u burrow.service -f`);
  return 0;
}
