// Shape of the placeholder bridge exposed by src/preload/index.ts.
interface Window {
  readonly strata?: { readonly version: number }
}
