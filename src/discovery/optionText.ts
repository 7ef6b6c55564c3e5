// The text a DHCP option carries (spec S3: "each carries the URL as printable text"), decoded
// strictly from the option's raw bytes, for DHCPv4 (66, 43, custom) and DHCPv6 (59, custom) alike.
// A value that is not printable ASCII is reported as such, never passed on as a mangled string.

export type OptionText =
  { readonly kind: 'text'; readonly text: string } | { readonly kind: 'invalid'; readonly detail: string };

const NUL = 0x00;
/** Space, tab, LF, VT, FF, CR: what `trim` would remove, restricted to ASCII. */
const isAsciiSpace = (byte: number) => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
const isPrintable = (byte: number) => byte >= 0x20 && byte <= 0x7e;
const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0')}`;

export function decodeOptionText(bytes: Uint8Array): OptionText {
  let end = bytes.length;
  // dnsmasq ends option 66 with a NUL (C-string habit); others may pad with several.
  while (end > 0 && bytes[end - 1] === NUL) end--;
  while (end > 0 && isAsciiSpace(bytes[end - 1]!)) end--;
  let start = 0;
  while (start < end && isAsciiSpace(bytes[start]!)) start++;
  if (start === end) {
    return {
      kind: 'invalid',
      detail: bytes.length === 0 ? 'the option is empty' : 'the option holds only NUL bytes and white space',
    };
  }
  for (let offset = start; offset < end; offset++) {
    const byte = bytes[offset]!;
    // Offsets count from the option's first byte, as a packet capture shows them.
    if (!isPrintable(byte))
      return { kind: 'invalid', detail: `byte ${hex(byte)} at offset ${offset} is not printable text` };
  }
  return { kind: 'text', text: Buffer.from(bytes.subarray(start, end)).toString('latin1') };
}
