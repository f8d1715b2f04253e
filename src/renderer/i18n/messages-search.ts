// Texts of the list's date-range filter (issue 17), in Italian and English.
import type { Language } from './language.ts';

export interface SearchMessages {
  /** What the search box finds, for screen readers (its aria-describedby). */
  searchHint: string;
  dateRange: string;
  dateField: string;
  captureDate: string;
  invoiceDate: string;
  from: string;
  to: string;
  clearDates: string;
}

const it: SearchMessages = {
  searchHint:
    'Cerca per nome del file, numero, cliente o fornitore, partita IVA o codice fiscale, importo (1.234,50 o 1234.50), data, ID SDI. Tutte le parole devono corrispondere.',
  dateRange: 'Intervallo di date',
  dateField: 'Filtra per',
  captureDate: 'Data di acquisizione',
  invoiceDate: 'Data della fattura',
  from: 'Dal',
  to: 'Al',
  clearDates: 'Azzera date',
};

const en: SearchMessages = {
  searchHint: 'Search by file name, number, customer or supplier, VAT id or fiscal code, amount (1.234,50 or 1234.50), date, SDI id. Every word must match.',
  dateRange: 'Date range',
  dateField: 'Filter by',
  captureDate: 'Capture date',
  invoiceDate: 'Invoice date',
  from: 'From',
  to: 'To',
  clearDates: 'Clear dates',
};

export const SEARCH_MESSAGES: Readonly<Record<Language, SearchMessages>> = { it, en };
