// A phone's MAC address, normalised once: 12 lower-case hex digits, no separators (spec "Names").

declare const macBrand: unique symbol;
/** 12 lower-case hex digits, e.g. `00156574b150`. Only `parseMac` makes one. */
export type Mac = string & { readonly [macBrand]: true };

const SEPARATED = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;
const BARE = /^[0-9a-f]{12}$/i;

export type MacParse = { ok: true; mac: Mac } | { ok: false; message: string };

/** Accepts `00:15:65:74:B1:50`, `00-15-65-74-b1-50` or `00156574B150`, any case. */
export function parseMac(input: string): MacParse {
  const text = input.trim();
  if (BARE.test(text) || SEPARATED.test(text)) {
    return { ok: true, mac: text.replace(/[:-]/g, '').toLowerCase() as Mac };
  }
  return {
    ok: false,
    message: `"${input}" is not a MAC address; write 12 hex digits, bare or separated by colons or dashes (00:15:65:74:b1:50)`,
  };
}

export function macOrThrow(input: string): Mac {
  const parsed = parseMac(input);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.mac;
}

/** `00:15:65:74:b1:50`: the form of spec S7's User-Agent. */
export function macWithColons(mac: Mac): string {
  return mac.replace(/(..)(?!$)/g, '$1:');
}
