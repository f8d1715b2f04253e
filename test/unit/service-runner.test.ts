// The lifecycle every long-running part of the agent goes through: started in order, stopped in
// reverse, a failing stop logged without stopping the others, a required service that cannot start
// undoing what started, an optional one reported and skipped.
import { describe, expect, it } from 'vitest';
import { ServiceRunner, service, type ServicePlan } from '../../src/core/lifecycle/service-runner.ts';
import { ServiceHealth } from '../../src/core/lifecycle/service-health.ts';
import type { Logger } from '../../src/core/log/logger.ts';

function recordingLog(lines: string[]): Logger {
  const log = {
    debug: () => undefined,
    info: (message: string) => void lines.push(`info ${message}`),
    warn: (message: string) => void lines.push(`warn ${message}`),
    error: (message: string, meta?: object) => void lines.push(`error ${message} ${JSON.stringify(meta ?? {})}`),
    child: () => log,
  };
  return log;
}

function setup() {
  const calls: string[] = [];
  const lines: string[] = [];
  const health = new ServiceHealth();
  const runner = new ServiceRunner(health, recordingLog(lines));
  const plan = (name: string, options: { failStart?: boolean; failStop?: boolean; required?: boolean } = {}): ServicePlan => ({
    service: service(
      name,
      async () => {
        calls.push(`start ${name}`);
        if (options.failStart) throw new Error(`${name} cannot start`);
      },
      async () => {
        calls.push(`stop ${name}`);
        if (options.failStop) throw new Error(`${name} cannot stop`);
      },
    ),
    ...(options.required === false ? { required: false } : {}),
  });
  const states = () => Object.fromEntries(health.list().map((report) => [report.name, report.error ? `${report.state}: ${report.error}` : report.state]));
  return { calls, lines, runner, plan, states };
}

describe('service runner', () => {
  it('starts in order and stops in reverse, across several startAll calls', async () => {
    const { calls, runner, plan, states } = setup();
    await runner.startAll([plan('store'), plan('spool')]);
    await runner.startAll([plan('outbox'), plan('watcher')]);
    expect(runner.running).toEqual(['store', 'spool', 'outbox', 'watcher']);
    expect(states()).toEqual({ store: 'running', spool: 'running', outbox: 'running', watcher: 'running' });
    await runner.stopAll();
    expect(calls).toEqual(['start store', 'start spool', 'start outbox', 'start watcher', 'stop watcher', 'stop outbox', 'stop spool', 'stop store']);
    expect(states()).toEqual({ store: 'stopped', spool: 'stopped', outbox: 'stopped', watcher: 'stopped' });
    expect(runner.running).toEqual([]);
  });

  it('logs a stop that fails, marks it failed, and still stops the rest', async () => {
    const { calls, lines, runner, plan, states } = setup();
    await runner.startAll([plan('store'), plan('outbox', { failStop: true }), plan('watcher')]);
    await runner.stopAll();
    expect(calls.filter((c) => c.startsWith('stop'))).toEqual(['stop watcher', 'stop outbox', 'stop store']);
    expect(lines).toContainEqual(expect.stringMatching(/^error stopping outbox failed .*outbox cannot stop/));
    expect(states()).toMatchObject({ outbox: 'failed: outbox cannot stop', store: 'stopped', watcher: 'stopped' });
  });

  it('undoes what started when a required service cannot start, and rethrows', async () => {
    const { calls, lines, runner, plan, states } = setup();
    await expect(runner.startAll([plan('lock'), plan('store'), plan('hub', { failStart: true }), plan('never')])).rejects.toThrow(/hub cannot start/);
    expect(calls).toEqual(['start lock', 'start store', 'start hub', 'stop store', 'stop lock']);
    expect(lines).toContainEqual(expect.stringMatching(/^error hub did not start; stopping what started/));
    expect(states()).toEqual({ lock: 'stopped', store: 'stopped', hub: 'failed: hub cannot start' });
    expect(runner.running).toEqual([]);
  });

  it('runs on without an optional service that cannot start, and reports it', async () => {
    const { calls, lines, runner, plan, states } = setup();
    await runner.startAll([plan('store'), plan('printer', { failStart: true, required: false }), plan('watcher')]);
    expect(runner.running).toEqual(['store', 'watcher']);
    expect(states()).toMatchObject({ printer: 'failed: printer cannot start', watcher: 'running' });
    expect(lines).toContainEqual(expect.stringMatching(/^error printer did not start; the agent runs without it/));
    await runner.stopAll();
    expect(calls).not.toContain('stop printer'); // never started, never stopped
  });
});
