/**
 * Imported first by the entry point. zod compiles fast parsers with
 * `new Function` when it may; under our CSP (no 'unsafe-eval') even its
 * probe is reported as a violation in the console, so the renderer tells it
 * not to try. Validation gives the same answers, only without the JIT.
 */
import { z } from 'zod';

z.config({ jitless: true });
