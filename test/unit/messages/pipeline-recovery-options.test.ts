import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config/app-config.js';
import { Pipeline, recoveryOptions } from '../../../src/messages/pipeline.js';
import { TenantRegistry } from '../../../src/tenancy/tenant-registry.js';

const UNUSED = 'postgres://unused@127.0.0.1:1/unused';

/** A pipeline built as server.ts builds it, never started: no database is reached. */
function pipelineFor(env: Record<string, string>): Pipeline {
  const config = loadConfig(env);
  return new Pipeline(
    new DataSource({ type: 'postgres', url: UNUSED }),
    UNUSED,
    new TenantRegistry([]),
    { deliver: () => Promise.reject(new Error('nothing is delivered here')) },
    { workers: false, recovery: recoveryOptions(config.recovery) },
  );
}

test('the RECOVERY_* settings reach the sweep: its interval and the backoff of each retranslation', () => {
  const pipeline = pipelineFor({
    RECOVERY_SWEEP_SECONDS: '5',
    RECOVERY_BACKOFF_MIN_SECONDS: '10',
    RECOVERY_BACKOFF_MAX_SECONDS: '45',
  });
  assert.equal(pipeline.sweepIntervalMs, 5000);
  assert.deepEqual(
    [0, 1, 2, 3].map((recovery) => pipeline.recover.delaySeconds(recovery)),
    [10, 20, 40, 45],
  );
});

test('unset, the sweep runs every 30 s and waits 60 s doubling to an hour', () => {
  const pipeline = pipelineFor({});
  assert.equal(pipeline.sweepIntervalMs, 30_000);
  assert.deepEqual(
    [0, 1, 5, 6, 20].map((recovery) => pipeline.recover.delaySeconds(recovery)),
    [60, 120, 1920, 3600, 3600],
  );
});
