/**
 * The shape of a row of the flag table, shared by every flag group's file, the parser (flags.ts)
 * and the `--help` layout (flag-groups.ts).
 */

export type FlagKind = 'string' | 'int' | 'float' | 'bool' | 'duration' | 'stringList' | 'stringArray';
export type FlagValue = string | number | boolean | string[];

/** The `--help` section of a flag (titles and placement rules: flag-groups.ts). */
export type FlagGroup =
  | 'prometheus'
  | 'rules'
  | 'cluster'
  | 'serving'
  | 'kubelet'
  | 'limits'
  | 'logging'
  | 'tools'
  | 'other'
  | 'compatibility';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  default: FlagValue;
  help: string;
  /**
   * Section of `--help`; without it the section follows from the name (flag-groups.ts), so a new
   * flag needs it only when its name does not tell.
   */
  group?: FlagGroup;
  /** Accepted for compatibility with prometheus-adapter / klog manifests; has no effect here. */
  compatOnly?: boolean;
  /**
   * Said once at start when the flag is given: for settings whose silent dropping would weaken
   * security or hide what the operator asked for (the flag is then not in the "ignored" line).
   */
  noticeWhenGiven?: (value: FlagValue) => FlagNotice | undefined;
  validate?: (value: FlagValue) => string | undefined;
}

export interface FlagNotice {
  level: 'info' | 'warn';
  message: string;
}
