import type { Finding, QuantaErrorCode, SourceLocation } from '@quanta/model';

/** What a finding says, beyond its code and place. */
export interface FindingText {
  readonly message: string;
  readonly fix: string;
  readonly severity?: Finding['severity'];
  readonly address?: string;
}

/** Builds a finding (an error unless the text says otherwise). */
export function finding(code: QuantaErrorCode, location: SourceLocation, text: FindingText): Finding {
  return {
    code,
    severity: text.severity ?? 'error',
    message: text.message,
    fix: text.fix,
    location,
    ...(text.address ? { address: text.address } : {}),
  };
}

/** The start of a file, for findings about a file as a whole. */
export function fileStart(file: string): SourceLocation {
  return { file, line: 1, col: 1 };
}
