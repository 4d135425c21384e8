import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { contract, LIMITS } from './contract';
import { OPERATIONS } from './operations';
import { BODY_FIELDS, BODY_MIN_CHARS, MAX_ENVELOPE_BYTES, MAX_FRAME_BYTES } from './wire';

/** JSON's worst case for one character of a string: a control character is "\u0001", six bytes. */
const ESCAPED = 6;
/** The longest JSON number: "-9007199254740991" and "1.7976931348623157e+308" both fit. */
const NUMBER = 24;

type Schema = z.core.$ZodType;

function maxLength(schema: Schema): number {
  const checks = (schema._zod.def as { checks?: { _zod: { def: { check: string; maximum?: number } } }[] }).checks ?? [];
  const max = checks.map((c) => c._zod.def).find((d) => d.check === 'max_length')?.maximum;
  if (max === undefined) throw new Error(`a ${schema._zod.def.type} without a maximum length: the frame size cannot be bounded`);
  return max;
}

/**
 * The most bytes a value of `schema` can take as JSON, from the schema's own
 * limits. `skip` names top-level fields that travel outside the JSON (a
 * binary body). Fails on any schema part it cannot bound.
 */
function worstJsonBytes(schema: Schema, skip?: string): number {
  const def = schema._zod.def as { type: string } & Record<string, any>;
  switch (def.type) {
    case 'optional':
    case 'nullable':
      return Math.max(4, worstJsonBytes(def.innerType));
    case 'string':
      return 2 + ESCAPED * maxLength(schema);
    case 'number':
    case 'int':
      return NUMBER;
    case 'boolean':
      return 5;
    case 'enum':
      return 2 + Math.max(...Object.values(def.entries as Record<string, string>).map((e) => ESCAPED * e.length));
    case 'array': {
      const items = maxLength(schema);
      const total = (z.globalRegistry.get(schema as z.ZodType) as { maxTotalChars?: number } | undefined)?.maxTotalChars;
      const element = def.element as Schema;
      // Bounded in total as well (keys.delete): at most that many characters, escaped, plus each element's quotes and comma.
      if (total !== undefined && element._zod.def.type === 'string') return 2 + ESCAPED * total + 3 * items;
      return 2 + items * (worstJsonBytes(element) + 1);
    }
    case 'object': {
      let bytes = 2;
      for (const [name, field] of Object.entries(def.shape as Record<string, Schema>)) {
        if (name === skip) continue;
        bytes += ESCAPED * name.length + 3 + worstJsonBytes(field) + 1;
      }
      return bytes;
    }
    default:
      throw new Error(`cannot bound a ${def.type} schema`);
  }
}

describe('WebSocket frame size', () => {
  it('fits the largest call of every operation in one frame, the largest value travelling as a binary body', () => {
    for (const op of OPERATIONS) {
      const body = BODY_FIELDS[op]?.arg;
      // {"id":…,"op":"…","args":…,"body":"…"} around the arguments; a binary frame adds its 4-byte length.
      const envelope = 4 + 40 + NUMBER + op.length + (body ? 10 + body.length : 0);
      const args = worstJsonBytes(contract[op].args, body);
      const bytes = envelope + args + (body ? LIMITS.maxValueBytes : 0);
      assert.ok(bytes <= MAX_FRAME_BYTES, `${op}: up to ${bytes} bytes, the frame limit is ${MAX_FRAME_BYTES}`);
      if (body) assert.ok(envelope + args <= MAX_ENVELOPE_BYTES, `${op}: its header is up to ${envelope + args} bytes`);
    }
  });

  it('keeps a string short enough to stay in the JSON within the envelope, even escaped at worst beside a maximal key', () => {
    // (That LIMITS mirror the engine's is checked in main, engine-agreement.test.ts: shared never imports the engine.)
    const worst = ESCAPED * (BODY_MIN_CHARS + LIMITS.maxKeyChars);
    assert.ok(worst < MAX_ENVELOPE_BYTES, `${worst} bytes of escaped strings in a ${MAX_ENVELOPE_BYTES}-byte envelope`);
  });

  it('refuses a keys.delete whose keys are longer together than one frame can carry escaped', () => {
    const key = 'k'.repeat(LIMITS.maxKeyChars);
    const fits = Array.from({ length: LIMITS.maxKeysCharsPerCall / LIMITS.maxKeyChars }, () => key);
    assert.equal(contract['keys.delete'].args.safeParse({ collection: 'c', keys: fits }).success, true);
    const over = contract['keys.delete'].args.safeParse({ collection: 'c', keys: [...fits, 'k'] });
    assert.equal(over.success, false);
    assert.match(String(over.error?.issues[0]?.message), /the keys together must be at most 8388608 characters/);
  });
});
