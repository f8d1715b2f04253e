// The status follower's reconcile reads only the documents whose status may still change at the
// hub, chosen in SQL: the same set the state table defines (statesToReconcile, isSettled, a queued
// document the hub never acknowledged left out), for every state, format and hub id. Before, every
// document in a b2b-settled state (all delivered B2B invoices: the whole history) was read into
// memory and filtered there at each start.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../src/core/store/store.ts';
import { DOCUMENT_STATES, type DocumentState } from '../../src/contract/states.ts';
import { isSettled, statesToReconcile } from '../../src/contract/document-lifecycle.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
let store: Store;
beforeAll(async () => {
  temp = await makeTempDir('recapito-in-flight-');
  store = new Store(join(temp.dir, 'recapito.sqlite'), 'test');
});
afterAll(async () => {
  store.close();
  await temp.cleanup();
});

it('is, for every state, format and hub id, exactly the set the state table says', () => {
  const states: DocumentState[] = [...DOCUMENT_STATES];
  const formats = ['FPA12', 'FPR12', 'FSM10', undefined];
  let n = 0;
  store.transaction(() => {
    for (const state of states)
      for (const formato of formats)
        for (const hubId of [null, 'hub-1']) {
          const id = `doc-${(n += 1)}`;
          store.documents.insert({
            id,
            profile: 'p',
            source: 'folder',
            name: `${id}.xml`,
            kind: 'fatturapa',
            size: 1,
            sha256: id.padEnd(64, '0'),
            spooled: true,
            state,
            metadata: formato ? { formato } : {},
          });
          if (hubId) store.documents.transition(id, { hubId: `${hubId}-${id}` }, { type: 'test' });
        }
  });
  const expected = store.documents
    .withState(statesToReconcile())
    .filter((d) => d.hubId !== null || d.state !== 'queued')
    .filter((d) => !isSettled(d.state, d.metadata['formato'] as string | undefined))
    .map((d) => d.id);
  const actual = store.documents.inFlightAtHub().map((d) => d.id);
  expect(actual).toEqual(expected);
  // The set is neither empty nor everything: delivered B2B invoices are out, a delivered FPA one is in.
  const byId = new Map(store.documents.withState(states).map((d) => [d.id, d]));
  expect(actual.some((id) => byId.get(id)?.state === 'delivered' && byId.get(id)?.metadata['formato'] === 'FPA12')).toBe(true);
  expect(actual.some((id) => byId.get(id)?.state === 'delivered' && byId.get(id)?.metadata['formato'] !== 'FPA12')).toBe(false);
  expect(actual.length).toBeGreaterThan(0);
  expect(actual.length).toBeLessThan(n);
});
