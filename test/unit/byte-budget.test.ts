import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../src/core/util/byte-budget.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ByteBudget', () => {
  it('admits up to its capacity, then makes later requests wait in order', async () => {
    const budget = new ByteBudget(100);
    const first = await budget.acquire(60);
    const second = await budget.acquire(40);
    expect(budget.bytesInUse).toBe(100);
    const order: string[] = [];
    const third = budget.acquire(50).then((release) => (order.push('third'), release));
    const fourth = budget.acquire(10).then((release) => (order.push('fourth'), release));
    await tick();
    expect(order).toEqual([]); // the small one does not overtake the waiting large one
    first();
    const releaseThird = await third;
    const releaseFourth = await fourth;
    expect(order).toEqual(['third', 'fourth']);
    expect(budget.bytesInUse).toBe(100);
    second();
    releaseThird();
    releaseFourth();
    releaseFourth(); // releasing twice is harmless
    expect(budget.bytesInUse).toBe(0);
  });

  it('lets a file larger than the whole budget through alone', async () => {
    const budget = new ByteBudget(100);
    const small = await budget.acquire(30);
    let huge: (() => void) | null = null;
    const waiting = budget.acquire(1_000).then((release) => (huge = release));
    await tick();
    expect(huge).toBeNull();
    small();
    await waiting;
    expect(budget.bytesInUse).toBe(100);
    huge!();
    expect(budget.bytesInUse).toBe(0);
  });
});
