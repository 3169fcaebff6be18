import type { BurrowConfig, JobConfig } from '../../shared/config-schema';
import { BurrowError } from './errors';

export function findJob(config: BurrowConfig, name?: string): JobConfig {
  if (name === undefined) {
    if (config.jobs.length === 1) return config.jobs[0]!;
    if (config.jobs.length === 0) throw new BurrowError('config', 'the config has no jobs');
    throw new BurrowError('config', `the config has ${config.jobs.length} jobs; name one with --job (${config.jobs.map((j) => j.name).join(', ')})`);
  }
  const job = config.jobs.find((j) => j.name === name);
  if (!job) throw new BurrowError('config', `no job named "${name}" (jobs: ${config.jobs.map((j) => j.name).join(', ') || 'none'})`);
  return job;
}

export const destinationOf = (job: JobConfig) => `${job.destination.host}:${job.destination.path}`;
