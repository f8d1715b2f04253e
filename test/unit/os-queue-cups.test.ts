// Pieces of the CUPS manager that need no scheduler: reading the tools' output (samples captured
// from CUPS 2.4), the command lines, the runner, and what happens when CUPS is not installed.
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { hasPpdOptions, isForbidden, isSchedulerDown, isUnknownQueue, parseLpoptions, parseLpstatDevice } from '../../src/core/printer/os-queue/cups-output.ts';
import { lpadminInstallArgs, shellCommand, shellQuote } from '../../src/core/printer/os-queue/cups-commands.ts';
import { commandEnvironment, defaultCommandRunner } from '../../src/core/printer/os-queue/command-runner.ts';
import { createQueueManager, QueueError } from '../../src/core/printer/os-queue/queue-manager.ts';
import type { CommandRunner } from '../../src/core/printer/os-queue/queue-manager.ts';
import { needs } from '../helpers/system-tools.ts';

const execFileAsync = promisify(execFile);

describe('reading lpstat and lpoptions', () => {
  it('lpstat -v gives the device URI', () => {
    expect(parseLpstatDevice('device for Recapito-Demo: ipp://127.0.0.1:8631/ipp/print/demo\n')).toBe('ipp://127.0.0.1:8631/ipp/print/demo');
    expect(parseLpstatDevice('')).toBeNull();
  });

  it('lpoptions -p: unquoted values, values quoted because of spaces (with quotes inside, unescaped), keys without values', () => {
    const line =
      "copies=1 device-uri=ipp://127.0.0.1:18631/ipp/print finishings=3 job-sheets=none,none printer-info='Recapito – Dell'Acqua “Rossi” a\\b \"q\" Srl' " +
      "printer-is-accepting-jobs=true printer-is-shared=false printer-location printer-make-and-model='Printer - IPP Everywhere' printer-state=3 printer-type=4164 noquote'x=a'b";
    expect(parseLpoptions(line)).toEqual({
      copies: '1',
      'device-uri': 'ipp://127.0.0.1:18631/ipp/print',
      finishings: '3',
      'job-sheets': 'none,none',
      'printer-info': 'Recapito – Dell\'Acqua “Rossi” a\\b "q" Srl',
      'printer-is-accepting-jobs': 'true',
      'printer-is-shared': 'false',
      'printer-location': '',
      'printer-make-and-model': 'Printer - IPP Everywhere',
      'printer-state': '3',
      'printer-type': '4164',
      "noquote'x": "a'b",
    });
    expect(parseLpoptions('')).toEqual({});
  });

  it('a queue has a PPD only when lpoptions -l lists options (it exits 0 even when it cannot get one)', () => {
    expect(hasPpdOptions({ code: 0, stdout: 'PageSize/Media Size: *A4 Letter\n', stderr: '' })).toBe(true);
    expect(hasPpdOptions({ code: 0, stdout: '', stderr: 'lpoptions: Unable to get PPD file for T3: Not Found' })).toBe(false);
    expect(hasPpdOptions({ code: 1, stdout: 'PageSize/Media Size: A4', stderr: '' })).toBe(false);
  });

  it('classifies the messages CUPS prints', () => {
    expect(isForbidden('lpadmin: Forbidden')).toBe(true);
    expect(isForbidden('lpadmin: Unauthorized')).toBe(true);
    expect(isForbidden('lpadmin: The printer or class does not exist.')).toBe(false);
    expect(isSchedulerDown('lpadmin: Unable to connect to server: Bad file descriptor')).toBe(true);
    expect(isSchedulerDown('scheduler is not running')).toBe(true);
    expect(isUnknownQueue('lpstat: Invalid destination name in list "X".')).toBe(true);
    expect(isUnknownQueue('lpadmin: The printer or class does not exist.')).toBe(true);
    expect(isUnknownQueue('lpadmin: Forbidden')).toBe(false);
  });
});

describe('command lines', () => {
  it('lpadmin: enabled, driverless, not shared, with the display name as description', () => {
    expect(
      lpadminInstallArgs({
        queue: 'Recapito-Rossi_Srl',
        uri: 'ipp://127.0.0.1:8631/ipp/print/rossi',
        description: 'Recapito – Rossi Srl',
        location: 'Ufficio',
      }),
    ).toEqual([
      '-p',
      'Recapito-Rossi_Srl',
      '-E',
      '-v',
      'ipp://127.0.0.1:8631/ipp/print/rossi',
      '-m',
      'everywhere',
      '-o',
      'printer-is-shared=false',
      '-D',
      'Recapito – Rossi Srl',
      '-L',
      'Ufficio',
    ]);
  });

  needs('sh').it('the command shown to a person is what /bin/sh runs: each argument arrives intact', async () => {
    const args = ['-D', 'Recapito – Dell\'Acqua $(touch /tmp/x) `id` "q" \\ ; & |', 'plain-1.2', '', "'"];
    const { stdout } = await execFileAsync(needs('sh').path('sh'), ['-c', `${shellCommand('printf', ['%s\\0', ...args])}`]);
    expect(stdout.split('\0').slice(0, -1)).toEqual(args);
    expect(shellQuote('ipp://127.0.0.1:8631/ipp/print/demo')).toBe('ipp://127.0.0.1:8631/ipp/print/demo');
    expect(shellCommand('lpadmin', ['-x', 'A B'], { sudo: true })).toBe("sudo lpadmin -x 'A B'");
  });
});

describe('the command runner', () => {
  needs('sh').it('runs without a shell, in the C locale, with sbin on PATH', async () => {
    const result = await defaultCommandRunner(needs('sh').path('sh'), ['-c', 'printf "%s|%s|%s" "$LC_ALL" "$1" "$PATH"', 'sh', 'a b;c']);
    const [locale, arg, path] = result.stdout.split('|');
    expect(result.code).toBe(0);
    expect(locale).toBe('C');
    expect(arg).toBe('a b;c');
    expect(path!.split(':')).toEqual(expect.arrayContaining(['/usr/sbin', '/sbin']));
    expect(commandEnvironment({ PATH: 'C:\\x' }, 'win32')).toEqual({ PATH: 'C:\\x' });
  });

  needs('sleep').it('reports a missing program as code 127 and a hung one as a timeout', async () => {
    expect(await defaultCommandRunner('/nonexistent/lpadmin', [])).toMatchObject({ code: 127, stderr: expect.stringContaining('command not found') });
    const started = Date.now();
    const hung = await defaultCommandRunner(needs('sleep').path('sleep'), ['10'], { timeoutMs: 200 });
    expect(hung.code).toBe(124);
    expect(hung.stderr).toMatch(/no answer after/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('without CUPS', () => {
  // The real runner, pointed at programs that do not exist: what a machine without CUPS sees.
  const noCups: CommandRunner = (command, args, options) => defaultCommandRunner(`/nonexistent/${command}`, args, options);

  it('install, status and uninstall say CUPS is not installed and show the command', async () => {
    const manager = createQueueManager('linux', noCups);
    for (const call of [
      () => manager.status('Recapito – Demo'),
      () => manager.uninstall('Recapito – Demo'),
      () => manager.install({ name: 'Recapito – Demo', uri: 'ipp://127.0.0.1:1/ipp/print/demo' }),
    ]) {
      const error = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(QueueError);
      expect((error as QueueError).code).toBe('not_supported');
      expect((error as QueueError).message).toMatch(/apt install cups/);
    }
  });

  it('refuses a bad spec before running anything', async () => {
    let ran = 0;
    const counting: CommandRunner = async () => {
      ran++;
      return { code: 0, stdout: '', stderr: '' };
    };
    const manager = createQueueManager('darwin', counting);
    await expect(manager.install({ name: 'A', uri: 'http://127.0.0.1:8631/ipp/print' })).rejects.toThrow(/ipp:\/\//);
    await expect(manager.install({ name: 'A\nB', uri: 'ipp://127.0.0.1:8631/ipp/print' })).rejects.toThrow(/control characters/);
    await expect(manager.install({ name: ' ', uri: 'ipp://127.0.0.1:8631/ipp/print' })).rejects.toThrow(/empty/);
    expect(ran).toBe(0);
    expect(() => createQueueManager('aix')).toThrow(QueueError);
  });
});
