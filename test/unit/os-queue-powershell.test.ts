// The Windows queue scripts: quoting that no name can break out of, the steps the scripts take,
// and the reading of their output. PowerShell does not run here, so the scripts are checked
// with a reader that follows PowerShell's own rules for single-quoted strings.
import { describe, it, expect } from 'vitest';
import {
  buildInstallScript,
  buildStatusScript,
  buildUninstallScript,
  manualInstallCommand,
  manualUninstallCommand,
  powershellArgs,
  psQuote,
  RESULT_MARKER,
} from '../../src/core/printer/os-queue/powershell-scripts.ts';
import {
  parseInstallOutput,
  parseStatusOutput,
  parseUninstallOutput,
  ScriptOutputError,
  toQueueState,
} from '../../src/core/printer/os-queue/powershell-output.ts';

const QUOTES = new Set(["'", '\u2018', '\u2019', '\u201a', '\u201b']);

/** PowerShell's tokenizer for '…': any of the five single-quote characters closes it unless another one follows. */
function readSingleQuoted(text: string, open: number): { value: string; end: number } {
  let value = '';
  let i = open + 1;
  for (;;) {
    if (i >= text.length) throw new Error(`unterminated string starting at ${open}`);
    const c = text[i]!;
    if (QUOTES.has(c)) {
      if (i + 1 < text.length && QUOTES.has(text[i + 1]!)) {
        value += c;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += c;
    i++;
  }
}

/** Splits a script into its code ("skeleton", every string literal replaced by '…') and its literals. */
function tokenize(script: string): { skeleton: string; literals: string[] } {
  let skeleton = '';
  const literals: string[] = [];
  let i = 0;
  while (i < script.length) {
    const c = script[i]!;
    if (QUOTES.has(c)) {
      const { value, end } = readSingleQuoted(script, i);
      literals.push(value);
      skeleton += "'…'";
      i = end;
    } else if (c === '#') {
      const end = script.indexOf('\n', i);
      skeleton += script.slice(i, end === -1 ? script.length : end);
      i = end === -1 ? script.length : end;
    } else if (c === '"' || c === '\u201c' || c === '\u201d' || c === '\u201e') {
      throw new Error(`double-quoted (expanding) string at ${i}: the scripts must not use them`);
    } else {
      skeleton += c;
      i++;
    }
  }
  return { skeleton, literals };
}

const HOSTILE = [
  "x'; Remove-Item C:\\ -Recurse; '",
  'Dell’Acqua Srl',
  '‘quoted’ ‚low‛',
  "ends with a quote'",
  "''",
  '$(Start-Process calc) `n $env:USERNAME',
  "'@\n@'",
  '";& whoami #',
  'Recapito – Società Caffè 日本',
];

describe('psQuote', () => {
  it.each(HOSTILE)('round-trips through the PowerShell string reader: %j', (value) => {
    const quoted = psQuote(value);
    expect(readSingleQuoted(quoted, 0)).toEqual({ value, end: quoted.length });
  });

  it('doubles every kind of single quote and nothing else', () => {
    expect(psQuote("L'Aquila")).toBe("'L''Aquila'");
    expect(psQuote('L’Aquila')).toBe("'L’’Aquila'");
    expect(psQuote('$x `y "z"')).toBe('\'$x `y "z"\'');
  });

  it('refuses NUL', () => {
    expect(() => psQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('the scripts', () => {
  const benign = { name: 'Recapito Demo', url: 'http://127.0.0.1:8631/ipp/print/demo', comment: 'Recapito Demo', location: 'Here' };

  it.each(HOSTILE)('a hostile name or comment changes only the string literals, never the code: %j', (value) => {
    const hostile = { name: value, url: benign.url, comment: value, location: value };
    for (const [build, args] of [
      [buildInstallScript, [benign, hostile]],
      [buildUninstallScript, [benign.name, value]],
      [buildStatusScript, [benign.name, value]],
    ] as const) {
      const plain = tokenize((build as (x: unknown) => string)(args[0]));
      const attacked = tokenize((build as (x: unknown) => string)(args[1]));
      expect(attacked.skeleton).toBe(plain.skeleton);
      expect(attacked.literals.length).toBe(plain.literals.length);
      expect(attacked.literals).toContain(value);
    }
  });

  it('assigns the values to $name, $url, $comment and $location', () => {
    const probe = tokenize(buildInstallScript({ name: 'n', url: 'u', comment: 'c', location: 'l' }));
    const at = probe.literals.indexOf('n');
    expect(probe.literals.slice(at, at + 4)).toEqual(['n', 'u', 'c', 'l']);
    const real = tokenize(buildInstallScript({ name: 'Recapito – Dell’Acqua', url: 'http://127.0.0.1:9/ipp/print/x', comment: "c'", location: undefined }));
    expect(real.skeleton).toMatch(/\$name = '…'\n\$url = '…'\n\$comment = '…'\n\$location = \$null\n/);
    expect(real.literals.slice(at, at + 3)).toEqual(['Recapito – Dell’Acqua', 'http://127.0.0.1:9/ipp/print/x', "c'"]);
  });

  it('install: checks for Add-Printer -IppURL, diffs Get-Printer, renames, reports elevation, prints one JSON line', () => {
    const script = buildInstallScript(benign);
    expect(script).toContain("$add.Parameters.ContainsKey('IppURL')");
    expect(script).toContain('$before = @(Get-Printer | ForEach-Object { $_.Name })');
    expect(script).toContain('Add-Printer -Name $name -IppURL $url');
    expect(script).toContain('Rename-Printer -InputObject $added[0] -NewName $name');
    expect(script).toContain('IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)');
    expect(script).toContain('ConvertTo-Json');
    expect(script).toContain(`'${RESULT_MARKER}'`);
    // Names are compared literally: Get-Printer -Name would read [ ] * ? as wildcards.
    const code = script
      .split('\n')
      .filter((line) => !line.trim().startsWith('#'))
      .join('\n');
    expect(code).not.toMatch(/Get-Printer -Name/);
    expect(script).toContain('$_.Name -eq $printerName');
  });

  it('uninstall removes only exact-name matches; status reads the port too', () => {
    expect(buildUninstallScript('A')).toContain('Remove-Printer -InputObject $printer');
    expect(buildStatusScript('A')).toContain('Get-PrinterPort | Where-Object { $_.Name -eq $printer.PortName }');
  });

  it('powershell.exe gets the script as -EncodedCommand (UTF-16LE base64), no shell quoting involved', () => {
    const script = buildUninstallScript('Recapito – Dell’Acqua');
    const args = powershellArgs(script);
    expect(args.slice(0, 5)).toEqual(['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    expect(Buffer.from(args[5]!, 'base64').toString('utf16le')).toBe(script);
  });

  it('the commands for a person are quoted the same way', () => {
    expect(manualInstallCommand({ name: "Dell'Acqua", url: 'http://127.0.0.1:8631/ipp/print/a', comment: '' })).toBe(
      "Add-Printer -Name 'Dell''Acqua' -IppURL 'http://127.0.0.1:8631/ipp/print/a'",
    );
    expect(manualUninstallCommand('Recapito [A]')).toBe("Get-Printer | Where-Object Name -eq 'Recapito [A]' | Remove-Printer");
  });
});

describe('reading the script output', () => {
  it('takes the last marked line, after warnings, with CRLF and \\u escapes', () => {
    const stdout = [
      'WARNING: something the module said',
      `${RESULT_MARKER}{"ok":false,"code":"command_failed","message":"first"}`,
      `${RESULT_MARKER}{"ok":true,"name":"Recapito \\u2013 Rossi","renamedFrom":"Printer 8631","driverName":"Microsoft IPP Class Driver","portName":"http://127.0.0.1:8631/ipp/print/rossi","elevated":true}`,
      '',
    ].join('\r\n');
    expect(parseInstallOutput(stdout)).toEqual({
      ok: true,
      name: 'Recapito – Rossi',
      renamedFrom: 'Printer 8631',
      driverName: 'Microsoft IPP Class Driver',
      portName: 'http://127.0.0.1:8631/ipp/print/rossi',
      elevated: true,
    });
  });

  it('failures carry their code', () => {
    expect(parseInstallOutput(`${RESULT_MARKER}{"ok":false,"code":"forbidden","message":"Access was denied.","elevated":false}`)).toEqual({
      ok: false,
      code: 'forbidden',
      message: 'Access was denied.',
      elevated: false,
    });
    expect(parseUninstallOutput(`${RESULT_MARKER}{"ok":true,"removed":0,"elevated":false}`)).toMatchObject({ ok: true, removed: 0 });
  });

  it('refuses output without a result, unreadable JSON or an unexpected shape', () => {
    expect(() => parseStatusOutput('Get-Printer : The spooler service is not reachable.')).toThrow(ScriptOutputError);
    expect(() => parseStatusOutput(`${RESULT_MARKER}{"ok":tru`)).toThrow(/unreadable/);
    expect(() => parseStatusOutput(`${RESULT_MARKER}{"ok":true,"installed":true}`)).toThrow(/unexpected/);
    expect(() => parseInstallOutput(`${RESULT_MARKER}{"ok":false,"code":"rm -rf","message":"x"}`)).toThrow(/unexpected/);
  });

  it('maps a status result to a queue state', () => {
    expect(toQueueState({ ok: true, installed: false })).toEqual({ installed: false });
    const base = {
      ok: true as const,
      installed: true as const,
      name: 'R',
      driverName: 'Microsoft IPP Class Driver',
      portName: 'http://127.0.0.1:8631/ipp/print/r',
      printerStatus: 'Normal',
    };
    expect(toQueueState(base)).toEqual({ installed: true, uri: 'http://127.0.0.1:8631/ipp/print/r', driverless: true, enabled: true, accepting: true });
    expect(toQueueState({ ...base, portName: 'WSD-1234', portHost: null, portDescription: 'http://127.0.0.1:8631/ipp/print/r' })).toMatchObject({
      uri: 'http://127.0.0.1:8631/ipp/print/r',
    });
    expect(toQueueState({ ...base, portName: 'PORTPROMPT:', portHost: '', portDescription: 'Local Port' })).toMatchObject({ uri: null });
    expect(toQueueState({ ...base, driverName: 'Microsoft Print To PDF', printerStatus: 'Paused' })).toMatchObject({
      driverless: false,
      enabled: false,
      accepting: true,
    });
    expect(toQueueState({ ...base, printerStatus: 'PendingDeletion' })).toMatchObject({ enabled: false, accepting: false });
  });
});
