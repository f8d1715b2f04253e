/** Bounds that keep a hostile or broken request from costing more than a small, fixed amount of memory. */
export interface IppDecodeLimits {
  /** Largest header (version .. end-of-attributes-tag); the document data after it is streamed, not counted. */
  maxHeaderBytes: number;
  /** Most attributes in the message, counting every collection member. */
  maxAttributes: number;
  /** Longest single value, in octets (RFC 8011 caps text and uri at 1023, name and keyword at 255). */
  maxValueLength: number;
  /** Deepest nesting of collections (media-col holds media-size: depth 2). */
  maxCollectionDepth: number;
}

export const DEFAULT_IPP_DECODE_LIMITS: Readonly<IppDecodeLimits> = Object.freeze({
  maxHeaderBytes: 256 * 1024,
  maxAttributes: 1000,
  maxValueLength: 8 * 1024,
  maxCollectionDepth: 8,
});
