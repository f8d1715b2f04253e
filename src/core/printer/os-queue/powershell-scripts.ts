// The PowerShell scripts that manage the Windows queue, built as plain text from quoted literals.
// Every value from outside (names, URLs, comments) enters a script only through psQuote, so a
// printer called "x'; Remove-Item C:\ -Recurse; '" stays a printer name. Each script prints one
// line "RECAPITO-RESULT {json}" (parsed by powershell-output.ts), with non-ASCII escaped so the
// console code page cannot garble it.

export const RESULT_MARKER = 'RECAPITO-RESULT ';

export interface WindowsInstallTarget {
  name: string;
  /** http://127.0.0.1:PORT/ipp/print/PROFILE: Add-Printer -IppURL takes the HTTP form. */
  url: string;
  comment: string;
  location?: string | undefined;
}

/**
 * A PowerShell single-quoted string. Inside one, nothing is expanded ($, `, ") and the only special
 * characters are the quotes, which PowerShell also recognises in their typographic forms ‘ ’ ‚ ‛:
 * each is escaped by doubling it (L’Aquila → 'L’’Aquila').
 */
export function psQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a PowerShell string cannot hold a NUL character');
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (quote) => quote + quote)}'`;
}

const PRELUDE = String.raw`$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
function Write-Result($value) {
  $json = ConvertTo-Json -InputObject $value -Compress -Depth 5
  $ascii = [regex]::Replace($json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
  [Console]::Out.WriteLine('${RESULT_MARKER}' + $ascii)
}
function Test-Elevated {
  try {
    $principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
    return $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
  } catch { return $false }
}
function Get-FailureCode($failure) {
  $text = [string]$failure.Exception.Message
  if ($failure.Exception.HResult -eq -2147024891 -or $text -match 'access (is |was )?denied|0x80070005') { return 'forbidden' }
  return 'command_failed'
}
function Find-PrinterByName([string]$printerName) {
  # -eq compares literally (Get-Printer -Name would treat [ ] * ? as wildcards). Callers wrap the
  # call in @() because PowerShell unrolls a returned array.
  Get-Printer | Where-Object { $_.Name -eq $printerName }
}
$elevated = Test-Elevated
`;

export function buildInstallScript(target: WindowsInstallTarget): string {
  return `${PRELUDE}$name = ${psQuote(target.name)}
$url = ${psQuote(target.url)}
$comment = ${psQuote(target.comment)}
$location = ${target.location === undefined ? '$null' : psQuote(target.location)}
${INSTALL_BODY}`;
}

const INSTALL_BODY = String.raw`try {
  $add = Get-Command Add-Printer -ErrorAction SilentlyContinue
  if ($null -eq $add) {
    Write-Result ([ordered]@{ ok = $false; code = 'not_supported'; message = 'This Windows has no Add-Printer command (PrintManagement module).'; elevated = $elevated })
    exit 0
  }
  if (-not $add.Parameters.ContainsKey('IppURL')) {
    Write-Result ([ordered]@{ ok = $false; code = 'not_supported'; message = 'Add-Printer on this Windows has no -IppURL parameter: it needs a newer Windows 10 or Windows 11.'; elevated = $elevated })
    exit 0
  }
  # An older queue of ours with this name may point at another port: replace it.
  foreach ($old in @(Find-PrinterByName $name)) { Remove-Printer -InputObject $old }
  $before = @(Get-Printer | ForEach-Object { $_.Name })
  Add-Printer -Name $name -IppURL $url
  $renamedFrom = $null
  if (@(Find-PrinterByName $name).Count -eq 0) {
    # Windows may ignore -Name and use the printer-name attribute instead: find the new queue and rename it.
    $added = @(Get-Printer | Where-Object { $before -notcontains $_.Name })
    if ($added.Count -ne 1) {
      Write-Result ([ordered]@{ ok = $false; code = 'command_failed'; message = ('Add-Printer finished but ' + $added.Count + ' new printers appeared instead of one, none named as asked.'); added = @($added | ForEach-Object { [string]$_.Name }); elevated = $elevated })
      exit 0
    }
    $renamedFrom = [string]$added[0].Name
    Rename-Printer -InputObject $added[0] -NewName $name
  }
  $printer = @(Find-PrinterByName $name) | Select-Object -First 1
  if ($null -eq $printer) {
    Write-Result ([ordered]@{ ok = $false; code = 'command_failed'; message = 'Add-Printer finished but the printer is not there.'; elevated = $elevated })
    exit 0
  }
  if ($null -ne $location) { Set-Printer -InputObject $printer -Comment $comment -Location $location } else { Set-Printer -InputObject $printer -Comment $comment }
  $printer = @(Find-PrinterByName $name) | Select-Object -First 1
  Write-Result ([ordered]@{ ok = $true; name = [string]$printer.Name; renamedFrom = $renamedFrom; driverName = [string]$printer.DriverName; portName = [string]$printer.PortName; elevated = $elevated })
} catch {
  Write-Result ([ordered]@{ ok = $false; code = (Get-FailureCode $_); message = [string]$_.Exception.Message; elevated = $elevated })
}
`;

export function buildUninstallScript(name: string): string {
  return `${PRELUDE}$name = ${psQuote(name)}
${UNINSTALL_BODY}`;
}

const UNINSTALL_BODY = String.raw`try {
  $found = @(Find-PrinterByName $name)
  foreach ($printer in $found) { Remove-Printer -InputObject $printer }
  Write-Result ([ordered]@{ ok = $true; removed = $found.Count; elevated = $elevated })
} catch {
  Write-Result ([ordered]@{ ok = $false; code = (Get-FailureCode $_); message = [string]$_.Exception.Message; elevated = $elevated })
}
`;

export function buildStatusScript(name: string): string {
  return `${PRELUDE}$name = ${psQuote(name)}
${STATUS_BODY}`;
}

const STATUS_BODY = String.raw`try {
  $printer = @(Find-PrinterByName $name) | Select-Object -First 1
  if ($null -eq $printer) {
    Write-Result ([ordered]@{ ok = $true; installed = $false })
    exit 0
  }
  $port = Get-PrinterPort | Where-Object { $_.Name -eq $printer.PortName } | Select-Object -First 1
  $portDescription = $null
  $portHost = $null
  if ($null -ne $port) { $portDescription = [string]$port.Description; $portHost = [string]$port.PrinterHostAddress }
  Write-Result ([ordered]@{ ok = $true; installed = $true; name = [string]$printer.Name; driverName = [string]$printer.DriverName; portName = [string]$printer.PortName; portDescription = $portDescription; portHost = $portHost; printerStatus = [string]$printer.PrinterStatus })
} catch {
  Write-Result ([ordered]@{ ok = $false; code = (Get-FailureCode $_); message = [string]$_.Exception.Message; elevated = $elevated })
}
`;

/** powershell.exe arguments: -EncodedCommand (base64 of UTF-16LE) so no quoting or code page touches the script. */
export function powershellArgs(script: string): string[] {
  return ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')];
}

/** What a person types in an elevated PowerShell to do the install by hand. */
export function manualInstallCommand(target: WindowsInstallTarget): string {
  return `Add-Printer -Name ${psQuote(target.name)} -IppURL ${psQuote(target.url)}`;
}

export function manualUninstallCommand(name: string): string {
  return `Get-Printer | Where-Object Name -eq ${psQuote(name)} | Remove-Printer`;
}

export function manualStatusCommand(name: string): string {
  return `Get-Printer | Where-Object Name -eq ${psQuote(name)} | Format-List Name, DriverName, PortName, PrinterStatus`;
}
