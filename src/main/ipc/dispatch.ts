import { z } from 'zod';
import { contract, type StrataApi } from '../../shared/ipc/contract';
import { isOperation } from '../../shared/ipc/operations';
import type { IpcErrorShape } from '../../shared/ipc/types';
import type { Envelope } from '../../shared/ipc/wire';

export class RequestError extends Error {
  constructor(
    readonly code: 'UNKNOWN_OPERATION' | 'BAD_ARGUMENTS' | 'FORBIDDEN' | 'TOO_LARGE',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks one call from the untrusted renderer against the contract: the
 * operation must exist and its argument must match the schema (types,
 * string lengths, array sizes, no unknown fields).
 */
export function validateCall(op: unknown, args: unknown): { op: keyof StrataApi; args: unknown } {
  if (!isOperation(op)) throw new RequestError('UNKNOWN_OPERATION', `unknown operation ${JSON.stringify(String(op).slice(0, 80))}`);
  const parsed = contract[op].args.safeParse(args);
  if (!parsed.success) throw new RequestError('BAD_ARGUMENTS', `${op}: ${describeIssues(parsed.error)}`);
  return { op, args: parsed.data };
}

/** Validates and runs one call; never throws. */
export async function dispatch(api: StrataApi, op: unknown, args: unknown): Promise<Envelope> {
  const name = typeof op === 'string' ? op.slice(0, 80) : String(op);
  try {
    const call = validateCall(op, args);
    const handler = api[call.op] as (a: unknown) => Promise<unknown>;
    const result = await handler.call(api, call.args);
    return { ok: true, result: result ?? null };
  } catch (err) {
    return { ok: false, error: toErrorShape(name, err) };
  }
}

export function toErrorShape(operation: string, err: unknown): IpcErrorShape {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { operation, code: typeof code === 'string' ? code : 'INTERNAL', message: err.message };
  }
  return { operation, code: 'INTERNAL', message: String(err) };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const at = issue.path.length ? issue.path.join('.') : 'argument';
      return `${at}: ${issue.message}`;
    })
    .join('; ');
}
