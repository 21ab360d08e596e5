/**
 * Property tests draw from one fixed seed, so `npm test` (and CI) is reproducible run to run;
 * `FC_SEED=<n> npx jest tests/...` explores other draws, and a failure prints the seed to replay.
 */
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261128) });
