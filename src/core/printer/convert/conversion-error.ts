// Why a printed document could not be turned into PDF pages: a stable code and a sentence for a person.
export type ConversionErrorCode = 'unsupported_format' | 'corrupt_image' | 'too_large';

export class ConversionError extends Error {
  readonly code: ConversionErrorCode;

  constructor(code: ConversionErrorCode, message: string) {
    super(message);
    this.name = 'ConversionError';
    this.code = code;
  }
}
