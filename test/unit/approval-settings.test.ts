// Sending mode per profile (docs/approval.md): `sending` and `dualControl`, and the first spelling
// `requireApproval` still read from old settings files, never written back.
import { describe, expect, it } from 'vitest';
import { validateSettings, type Settings } from '../../src/core/config/settings-schema.ts';

function profile(extra: Record<string, unknown>) {
  return { id: 'main', name: 'Main office', ...extra };
}

function valid(extra: Record<string, unknown>): Settings['profiles'][number] {
  const result = validateSettings({ profiles: [profile(extra)] });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.settings.profiles[0]!;
}

function errors(extra: Record<string, unknown>) {
  const result = validateSettings({ profiles: [profile(extra)] });
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('sending mode', () => {
  it('is automatic without dual control by default', () => {
    expect(valid({})).toMatchObject({ sending: 'automatic', dualControl: false });
    expect(valid({})).not.toHaveProperty('requireApproval');
  });

  it('reads the old requireApproval as the sending mode, and does not keep it', () => {
    expect(valid({ requireApproval: true })).toMatchObject({ sending: 'manual', dualControl: false });
    expect(valid({ requireApproval: false })).toMatchObject({ sending: 'automatic' });
    expect(valid({ requireApproval: true })).not.toHaveProperty('requireApproval');
    // Both spellings agreeing are fine; saved again, only `sending` remains.
    const both = valid({ requireApproval: true, sending: 'manual', dualControl: true });
    expect(both).toMatchObject({ sending: 'manual', dualControl: true });
    expect(valid(JSON.parse(JSON.stringify(both)) as Record<string, unknown>)).toEqual(both);
  });

  it('refuses the two spellings saying opposite things, and dual control without manual sending', () => {
    expect(errors({ requireApproval: true, sending: 'automatic' })).toEqual([
      { path: 'profiles[0].requireApproval', message: expect.stringContaining('old spelling of "sending"') },
    ]);
    expect(errors({ sending: 'automatic', dualControl: true })).toEqual([
      { path: 'profiles[0].dualControl', message: expect.stringContaining('set "sending" to "manual"') },
    ]);
    expect(errors({ sending: 'sometimes' })[0]?.path).toBe('profiles[0].sending');
  });
});
