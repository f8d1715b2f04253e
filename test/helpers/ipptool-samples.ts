// A work folder for CUPS' ipptool conformance suites: the .test files next to every sample document
// they reference. ipptool resolves files relative to the test file and aborts when one is unreadable, even
// for tests it would skip, and CUPS does not ship the samples: they are made here with Ghostscript.
// PWG Raster samples at a resolution and colour space the printer advertises are rendered for real;
// the others (which ipptool skips) are copies, since only their readability matters.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PWG_RASTER_RESOLUTIONS, PWG_RASTER_TYPES } from '../../src/core/printer/server/capabilities.ts';
import { needs } from './system-tools.ts';

const run = promisify(execFile);

/** Installed with ipptool (cups-ipp-utils). */
export const IPPTOOL_SUITE_DIR = '/usr/share/cups/ipptool';

/** Ghostscript's -dcupsColorSpace / -dcupsBitsPerColor for each pwg-raster-document-type. */
const RASTER_TYPES: Record<string, { colorSpace: number; bits: number }> = {
  'black-1': { colorSpace: 3, bits: 1 },
  'sgray-8': { colorSpace: 18, bits: 8 },
  'srgb-8': { colorSpace: 19, bits: 8 },
  'srgb-16': { colorSpace: 19, bits: 16 },
  'cmyk-8': { colorSpace: 6, bits: 8 },
};

const PAGE_SIZES: Record<string, string[]> = {
  a4: ['-sPAPERSIZE=a4'],
  letter: ['-sPAPERSIZE=letter'],
  '4x6': ['-dDEVICEWIDTHPOINTS=288', '-dDEVICEHEIGHTPOINTS=432'],
};

/** A text page (or two) with a frame and coloured boxes, sized to whatever page it is rendered on. */
const documentPostScript = (pages: number): string => `%!PS-Adobe-3.0
/pagew currentpagedevice /PageSize get 0 get def
/pageh currentpagedevice /PageSize get 1 get def
1 1 ${pages} {
  /n exch def
  0.2 0.4 0.8 setrgbcolor 2 setlinewidth 36 36 pagew 72 sub pageh 72 sub rectstroke
  0 0 0 setrgbcolor /Helvetica-Bold findfont 22 scalefont setfont
  72 pageh 110 sub moveto (Recapito - IPP sample document) show
  /Helvetica findfont 12 scalefont setfont
  72 pageh 140 sub moveto (Fattura n. 2024/17 - pagina ) show n 3 string cvs show
  0 1 14 { /i exch def 72 pageh 180 sub i 18 mul sub moveto (Riga ) show i 1 add 3 string cvs show (: descrizione, quantita, prezzo unitario, IVA 22%) show } for
  0.85 0.2 0.2 setrgbcolor 72 120 140 80 rectfill
  0.2 0.65 0.3 setrgbcolor 230 120 140 80 rectfill
  showpage
} for
`;

/** A photo-like picture: colour gradients and shapes (rendered in gray for gray samples). */
const picturePostScript = `%!PS-Adobe-3.0
/pagew currentpagedevice /PageSize get 0 get def
/pageh currentpagedevice /PageSize get 1 get def
0 1 63 { /i exch def i 63 div 0.5 1 i 63 div sub setrgbcolor 0 pageh i mul 64 div pagew pageh 64 div 1 add rectfill } for
0.95 0.8 0.1 setrgbcolor pagew 2 div pageh 3 mul 4 div pagew 6 div 0 360 arc fill
0.1 0.45 0.15 setrgbcolor 0 0 moveto pagew 0 lineto pagew pageh 5 div lineto pagew 2 div pageh 3 div lineto 0 pageh 5 div lineto closepath fill
showpage
`;

interface Ghostscript {
  source: string;
  page: keyof typeof PAGE_SIZES;
  device: string[];
  output: string;
}

async function ghostscript(job: Ghostscript): Promise<void> {
  await mkdir(dirname(job.output), { recursive: true });
  await run(needs('gs').path('gs'), [
    '-q',
    '-dSAFER',
    '-dBATCH',
    '-dNOPAUSE',
    '-dFIXEDMEDIA',
    ...PAGE_SIZES[job.page]!,
    ...job.device,
    `-sOutputFile=${job.output}`,
    job.source,
  ]);
}

/** Runs the jobs two at a time (the machine has two cores). */
async function runAll(jobs: Ghostscript[]): Promise<void> {
  const queue = [...jobs];
  await Promise.all(
    [0, 1].map(async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await ghostscript(job);
    }),
  );
}

/** The files a suite and the suites it INCLUDEs reference with FILE or SKIP-IF-MISSING (variables excluded). */
async function referencedFiles(dir: string, suite: string, seen = new Set<string>()): Promise<Set<string>> {
  const files = new Set<string>();
  if (seen.has(suite)) return files;
  seen.add(suite);
  const text = await readFile(join(dir, suite), 'utf8');
  for (const match of text.matchAll(/^\s*(FILE|SKIP-IF-MISSING|INCLUDE)\s+"?([^\s"]+)"?/gm)) {
    const [, directive, path] = match;
    if (path!.includes('$')) continue;
    if (directive === 'INCLUDE') for (const file of await referencedFiles(dir, path!, seen)) files.add(file);
    else files.add(path!);
  }
  return files;
}

const PWG_SAMPLE = /^pwg-raster-samples-(\d+)dpi\/([a-z0-9-]+)\/(.+)-([a-z0-9]+-\d+)-(\d+)dpi\.pwg$/;

/**
 * Fills `dir` with CUPS' .test files (callers need ipptool and gs: `needs('ipptool', 'gs')`) and every sample document the given suites reference.
 * Returns the paths of the samples rendered for real (the rest are copies).
 */
export async function prepareIpptoolWorkFolder(dir: string, suites: readonly string[]): Promise<{ rendered: string[]; copied: string[] }> {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(IPPTOOL_SUITE_DIR)) {
    if (name.endsWith('.test')) await copyFile(join(IPPTOOL_SUITE_DIR, name), join(dir, name));
  }
  const sources = join(dir, 'sources');
  await mkdir(sources, { recursive: true });
  const documentPs = join(sources, 'document.ps');
  const onePagePs = join(sources, 'onepage.ps');
  const picturePs = join(sources, 'picture.ps');
  await writeFile(documentPs, documentPostScript(2));
  await writeFile(onePagePs, documentPostScript(1));
  await writeFile(picturePs, picturePostScript);

  const basics: Ghostscript[] = [
    { source: documentPs, page: 'a4', device: ['-sDEVICE=pdfwrite'], output: join(dir, 'document-a4.pdf') },
    { source: documentPs, page: 'letter', device: ['-sDEVICE=pdfwrite'], output: join(dir, 'document-letter.pdf') },
    { source: documentPs, page: 'a4', device: ['-sDEVICE=ps2write'], output: join(dir, 'document-a4.ps') },
    { source: documentPs, page: 'letter', device: ['-sDEVICE=ps2write'], output: join(dir, 'document-letter.ps') },
    { source: picturePs, page: '4x6', device: ['-sDEVICE=jpeg', '-r100'], output: join(dir, 'color.jpg') },
    { source: picturePs, page: '4x6', device: ['-sDEVICE=jpeggray', '-r100'], output: join(dir, 'gray.jpg') },
  ];
  const advertisedDpi = new Set(PWG_RASTER_RESOLUTIONS.map((resolution) => String(resolution.x)));
  const advertisedTypes = new Set(PWG_RASTER_TYPES.map((type) => type.replace('_', '-')));
  const renders: Ghostscript[] = [];
  const copies: string[] = [];
  const referenced = new Set<string>();
  for (const suite of suites) for (const file of await referencedFiles(dir, suite)) referenced.add(file);

  for (const file of referenced) {
    const sample = PWG_SAMPLE.exec(file);
    if (!sample) {
      if (!basics.some((job) => job.output === join(dir, file))) throw new Error(`${file} is referenced by the suites but this helper cannot make it`);
      continue;
    }
    const [, dpi, type, source] = sample;
    if (!advertisedDpi.has(dpi!) || !advertisedTypes.has(type!) || !RASTER_TYPES[type!]) {
      copies.push(file);
      continue;
    }
    const { colorSpace, bits } = RASTER_TYPES[type!]!;
    const [input, page] =
      source === 'color.jpg-4x6' || source === 'gray.jpg-4x6'
        ? [picturePs, '4x6' as const]
        : [source!.startsWith('onepage') ? onePagePs : documentPs, source!.endsWith('letter') ? ('letter' as const) : ('a4' as const)];
    renders.push({
      source: input,
      page,
      device: ['-sDEVICE=pwgraster', `-r${dpi}`, `-dcupsColorSpace=${colorSpace}`, `-dcupsBitsPerColor=${bits}`],
      output: join(dir, file),
    });
  }
  await runAll([...basics, ...renders]);
  // Skipped samples only need to be readable: any small real file will do.
  for (const file of copies) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(join(dir, 'gray.jpg'), join(dir, file));
  }
  return { rendered: renders.map((job) => job.output), copied: copies.map((file) => join(dir, file)) };
}
