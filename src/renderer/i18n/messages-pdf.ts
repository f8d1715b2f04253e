// Texts of the PDF preview in the detail panel (issue 17), in Italian and English.
import type { Language } from './language.ts';

export interface PdfMessages {
  title: string;
  loading: string;
  previous: string;
  next: string;
  wide: string;
  wideHint: string;
  page: (page: number, pages: number) => string;
  pageImage: (page: number, pages: number) => string;
  /** Instead of the preview. */
  encrypted: string;
  corrupt: string;
  unreadable: string;
  unavailable: string;
  pageFailed: string;
  textTitle: string;
  textLoading: string;
  textNone: string;
  textBeyond: (maxPages: number) => string;
  textFailed: string;
  /** The reader's failure codes (src/contract/pdf-text.ts), as the page explains them. */
  textFailure: Readonly<Record<string, string>>;
}

const it: PdfMessages = {
  title: 'Anteprima del PDF',
  loading: 'Apertura del PDF…',
  previous: '‹ Precedente',
  next: 'Successiva ›',
  wide: 'Anteprima larga',
  wideHint: 'Allarga il pannello: il testo letto dall’agente si vede accanto alla pagina',
  page: (page, pages) => `Pagina ${page} di ${pages}`,
  pageImage: (page, pages) => `Pagina ${page} di ${pages} del PDF`,
  encrypted: 'Questo PDF è protetto da una password: l’anteprima non si può mostrare. Il file si può comunque scaricare con «Scarica l’originale».',
  corrupt: 'Questo PDF è danneggiato o non è un PDF valido: l’anteprima non si può mostrare. Il file si può comunque scaricare con «Scarica l’originale».',
  unreadable: 'L’anteprima di questo PDF non si può mostrare. Il file si può comunque scaricare con «Scarica l’originale».',
  unavailable: 'Il file di questo documento non è disponibile: l’anteprima non si può mostrare.',
  pageFailed: 'Questa pagina non si è potuta disegnare.',
  textTitle: 'Testo letto dall’agente',
  textLoading: 'Lettura del testo…',
  textNone: 'Nessun testo in questa pagina (forse è un’immagine, come una scansione).',
  textBeyond: (maxPages) => `L’agente legge il testo solo delle prime ${maxPages} pagine.`,
  textFailed: 'Il testo del PDF non si è potuto leggere.',
  textFailure: {
    pdf_encrypted: 'Il PDF è protetto da una password: il suo testo non si può leggere.',
    pdf_corrupt: 'Il file non è un PDF leggibile: il suo testo non si può leggere.',
    pdf_timeout: 'La lettura del testo è stata interrotta perché richiedeva troppo tempo.',
    pdf_too_complex: 'Il PDF è troppo complesso: la lettura del testo richiedeva troppa memoria.',
  },
};

const en: PdfMessages = {
  title: 'PDF preview',
  loading: 'Opening the PDF…',
  previous: '‹ Previous',
  next: 'Next ›',
  wide: 'Wide preview',
  wideHint: 'Widen the panel: the text read by the agent is shown beside the page',
  page: (page, pages) => `Page ${page} of ${pages}`,
  pageImage: (page, pages) => `Page ${page} of ${pages} of the PDF`,
  encrypted: 'This PDF is protected by a password, so it cannot be previewed. You can still download the file with “Download the original”.',
  corrupt: 'This PDF is damaged or not a valid PDF, so it cannot be previewed. You can still download the file with “Download the original”.',
  unreadable: 'This PDF cannot be previewed. You can still download the file with “Download the original”.',
  unavailable: 'The file of this document is not available, so it cannot be previewed.',
  pageFailed: 'This page could not be drawn.',
  textTitle: 'Text read by the agent',
  textLoading: 'Reading the text…',
  textNone: 'No text on this page (it may be an image, such as a scan).',
  textBeyond: (maxPages) => `The agent reads the text of the first ${maxPages} pages only.`,
  textFailed: "The PDF's text could not be read.",
  textFailure: {
    pdf_encrypted: 'The PDF is protected by a password, so its text cannot be read.',
    pdf_corrupt: 'The file is not a readable PDF, so its text cannot be read.',
    pdf_timeout: 'Reading the text was stopped because it took too long.',
    pdf_too_complex: 'The PDF is too complex: reading its text needed too much memory.',
  },
};

export const PDF_MESSAGES: Readonly<Record<Language, PdfMessages>> = { it, en };
