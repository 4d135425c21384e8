/** Where a JSON text stops being valid, in terms a person can find in an editor. */
export interface JsonProblem {
  message: string;
  /** 1-based, or null when the parser did not say where. */
  line: number | null;
  column: number | null;
}

export type JsonCheck = { ok: true; value: unknown } | { ok: false; problem: JsonProblem };

export function checkJson(text: string): JsonCheck {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, problem: describeJsonError(text, (err as Error).message) };
  }
}

/**
 * V8's messages carry an offset ("at position 12") and newer ones also
 * "(line 2 column 5)"; the offset is the more reliable of the two across
 * versions, so line and column are derived from it when present. An error
 * with neither (e.g. "Unexpected end of JSON input") points at the end.
 */
export function describeJsonError(text: string, raw: string): JsonProblem {
  // The location is reported separately as line and column, so it is cut from the message.
  const message = raw
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/\s*(in JSON )?at position \d+/, '')
    .replace(/^JSON\.parse: /, '');
  const position = /at position (\d+)/.exec(raw);
  if (position) return { message, ...lineColumn(text, Number(position[1])) };
  const lc = /line (\d+) column (\d+)/.exec(raw);
  if (lc) return { message, line: Number(lc[1]), column: Number(lc[2]) };
  if (/end of (JSON )?input|Unterminated/i.test(raw)) return { message, ...lineColumn(text, text.length) };
  return { message, line: null, column: null };
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Pretty text for the JSON tab, or null when the value is not JSON (the tab then shows the raw text and the problem). */
export function prettyJson(text: string): string | null {
  const check = checkJson(text);
  return check.ok ? JSON.stringify(check.value, null, 2) : null;
}

/** Cheap guess used to pick the initial tab: only objects and arrays count as "JSON" values. */
export function looksLikeJson(text: string): boolean {
  const t = text.trimStart();
  return (t.startsWith('{') || t.startsWith('[')) && checkJson(text).ok;
}
