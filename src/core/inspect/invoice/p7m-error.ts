export class P7mError extends Error {
  readonly code: 'p7m_corrupt' | 'p7m_no_content';
  constructor(code: P7mError['code'], message: string) {
    super(message);
    this.name = 'P7mError';
    this.code = code;
  }
}
