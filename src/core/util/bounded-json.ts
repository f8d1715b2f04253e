// JSON.parse with a nesting limit. Settings and API bodies are a few levels deep; a body nested
// 200,000 deep parses fine but overflows the stack of whatever walks it next (validation), which
// answered 500. Counting brackets outside strings first costs one pass over text we hold anyway.

const MAX_JSON_DEPTH = 64;

export class JsonTooDeepError extends Error {
  constructor(limit: number) {
    super(`the JSON is nested more than ${limit} levels deep`);
    this.name = 'JsonTooDeepError';
  }
}

export function parseBoundedJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i += 1; // backslash: the next character is escaped
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > maxDepth) throw new JsonTooDeepError(maxDepth);
    } else if (char === 0x7d || char === 0x5d) {
      depth -= 1;
    }
  }
  return JSON.parse(text) as unknown;
}
