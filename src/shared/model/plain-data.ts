// What "plain data" means on the wire, as a type: what survives both
// structured clone (Electron IPC) and JSON (web mode) unchanged. Strings,
// numbers, booleans, null, arrays of those and objects of those, with
// optional fields allowed (absent keys travel as absent). An undefined-typed
// field, a function, a Map or Set (their methods), or `unknown` (unchecked)
// is a fault. The round-trip test in main checks the values themselves
// (class prototypes, NaN, undefined at run time), which types cannot.

type Leaf = string | number | boolean | null;

/** A field's type, without the undefined that an optional `?:` adds (its key is then absent, which is fine). */
type FieldOf<T, K extends keyof T> = object extends Pick<T, K> ? Exclude<T[K], undefined> : T[K];

/** The paths in T (from `path`) that are not plain data; never when there are none. */
export type PlainDataFaults<T, Path extends string> = unknown extends T
  ? Path
  : T extends Leaf
    ? never
    : T extends undefined | ((...args: never[]) => unknown) | symbol | bigint
      ? Path
      : T extends readonly (infer U)[]
        ? PlainDataFaults<U, `${Path}[]`>
        : T extends object
          ? { [K in keyof T & string]: PlainDataFaults<FieldOf<T, K>, `${Path}.${K}`> }[keyof T & string]
          : Path;
