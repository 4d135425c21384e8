// abstract-level ships its conformance suite as plain CommonJS without types.
declare module 'abstract-level/test/index.js' {
  interface SuiteOptions {
    test: unknown;
    factory(options?: any): unknown;
  }
  function suite(options: SuiteOptions): void;
  export default suite;
}
