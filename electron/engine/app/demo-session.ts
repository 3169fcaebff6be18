/**
 * "Start the demo" from the welcome page: a loopback lab, the app pointed at
 * its config and state (the user's own config is not touched), and a first
 * run started at once. The lab goes away when the app stops.
 */
import { startDemoLab, type DemoLab } from '../demo';
import type { AppService } from './app-service';

export class DemoSession {
  private demo?: DemoLab;

  constructor(private readonly service: () => AppService) {}

  async start(): Promise<{ started: boolean; message: string }> {
    if (this.demo) return { started: false, message: 'the demo is already running' };
    try {
      this.demo = await startDemoLab();
    } catch (err) {
      return { started: false, message: (err as Error).message };
    }
    const svc = this.service();
    await svc.switchTo(this.demo.configPath, this.demo.stateDir);
    const run = await svc.handlers.runNow({ job: 'demo' });
    return {
      started: true,
      message:
        `Demo lab: source ${this.demo.lab.source.address}:${this.demo.lab.source.port}, destination ${this.demo.lab.destination.address}:${this.demo.lab.destination.port}. ` +
        `${run.started ? 'A first backup is running' : `The first backup did not start: ${run.message}`}; archives land in ${this.demo.destinationPath}.`,
    };
  }

  async stop(): Promise<void> {
    await this.demo?.stop();
    this.demo = undefined;
  }
}
