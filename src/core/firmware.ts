// Firmware versions such as `108.86.0.90`: family (first number) and major (second), which the
// guide's "firmware 83 or later" gates refer to (spec B5, B7).

export interface FirmwareVersion {
  readonly text: string;
  readonly family: number;
  readonly major: number;
  readonly parts: readonly number[];
}

const VERSION = /^\d+(\.\d+){3}$/;

export function parseFirmware(text: string): FirmwareVersion | undefined {
  const trimmed = text.trim();
  if (!VERSION.test(trimmed)) return undefined;
  const parts = trimmed.split('.').map(Number);
  return { text: trimmed, family: parts[0]!, major: parts[1]!, parts };
}

/** Negative when a < b, 0 when equal, positive when a > b, comparing number by number. */
export function compareFirmware(a: FirmwareVersion, b: FirmwareVersion): number {
  for (let i = 0; i < Math.max(a.parts.length, b.parts.length); i++) {
    const diff = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
