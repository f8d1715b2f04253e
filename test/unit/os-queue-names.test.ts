// Queue names the print systems accept, derived from the names people choose.
import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { cupsQueueName, windowsPrinterName } from '../../src/core/printer/os-queue/queue-name.ts';

/** What lpadmin itself refuses (validate_name in CUPS), plus what we refuse on top. */
function cupsAccepts(name: string): boolean {
  return Buffer.byteLength(name) <= 127 && name.length > 0 && !/[\s/\\?'"#@\u007f]/.test(name);
}

describe('cupsQueueName', () => {
  it.each([
    ['Recapito – Rossi Srl', 'Recapito-Rossi_Srl'],
    ['Recapito - Rossi Srl', 'Recapito-Rossi_Srl'],
    ['Recapito — Rossi   Srl', 'Recapito-Rossi_Srl'],
    ['Società Caffè & Figli', 'Societa_Caffe_Figli'],
    ["Dell'Acqua “Rossi” S.p.A.", 'Dell_Acqua_Rossi_S.p.A'],
    ['a/b#c?d@e\\f', 'a_b_c_d_e_f'],
    ['  Ärzte\tGmbH  ', 'Arzte_GmbH'],
    ['Recapito-Rossi_Srl', 'Recapito-Rossi_Srl'],
    ['日本語', 'Recapito'],
    ['', 'Recapito'],
    ['---', 'Recapito'],
  ])('%j → %j', (display, expected) => {
    expect(cupsQueueName(display)).toBe(expected);
  });

  it('stays within 127 characters and does not end in a separator when cut', () => {
    const name = cupsQueueName(`${'a'.repeat(126)} bcd`);
    expect(name).toBe(`${'a'.repeat(126)}`);
    expect(cupsQueueName('x'.repeat(300))).toHaveLength(127);
  });

  it('always gives a name CUPS accepts, and applying it twice changes nothing (random input)', () => {
    const alphabet = [...'ab Z09 –—-_./\\#?@\'"“”’&%$è日\t\n😀'];
    for (let round = 0; round < 2000; round++) {
      const bytes = randomBytes(1 + (round % 40));
      const display = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
      const name = cupsQueueName(display);
      expect(cupsAccepts(name), `${JSON.stringify(display)} → ${JSON.stringify(name)}`).toBe(true);
      expect(name).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(cupsQueueName(name)).toBe(name);
    }
  });
});

describe('windowsPrinterName', () => {
  it('keeps spaces, dashes and letters, replaces the spooler separators and control characters', () => {
    expect(windowsPrinterName('Recapito – Società Caffè')).toBe('Recapito – Società Caffè');
    expect(windowsPrinterName('A\\B,C')).toBe('A-B-C');
    expect(windowsPrinterName('A\n\tB   C ')).toBe('A B C');
    expect(windowsPrinterName('   ')).toBe('Recapito');
    expect(windowsPrinterName('x'.repeat(500))).toHaveLength(200);
    expect(windowsPrinterName(windowsPrinterName('A\\B, C'))).toBe('A-B- C');
  });
});
