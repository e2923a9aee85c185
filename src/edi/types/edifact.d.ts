/**
 * Typings for the parts of the untyped `edifact` npm package (node-edifact 1.x) we use: its
 * string Parser (reference implementation in tests) and its segment/element tables.
 */

declare module 'edifact/parser.js' {
  import { EventEmitter } from 'node:events';

  interface ParserDelimiterConfig {
    segmentTerminator?: number;
    dataElementSeparator?: number;
    componentDataSeparator?: number;
    decimalMark?: number;
    releaseCharacter?: number;
  }

  class Parser extends EventEmitter {
    constructor(validator?: unknown, config?: ParserDelimiterConfig);
    configure(config: ParserDelimiterConfig): void;
    encoding(level: string): void;
    write(chunk: string): void;
    end(): void;
    onopensegment(segment: string): void;
    onclosesegment(): void;
    onelement(): void;
    oncomponent(data: string): void;
  }
  export = Parser;
}

declare module 'edifact/segments.js' {
  /** `requires`: how many leading elements are mandatory; `elements`: element or composite ids in order. */
  const segments: Readonly<
    Record<string, { readonly requires: number; readonly elements: readonly string[] }>
  >;
  export = segments;
}

declare module 'edifact/elements.js' {
  /** `components`: formats like `an..35`, `n..18`, `a3`; a simple element has one component. */
  const elements: Readonly<
    Record<string, { readonly requires: number; readonly components: readonly string[] }>
  >;
  export = elements;
}
