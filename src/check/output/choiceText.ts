// Which models a check assumed, and why, in words every output prints (issue #12: "say which
// models were assumed"): the inventory's, `--model`'s, or those the tree names, and the phones of
// unknown model whose files were checked only for what does not depend on the model.
import type { ModelChoice, ModelReason } from '../modelChoice.js';

export interface ChoiceDescription {
  readonly source: ModelChoice['source'];
  readonly models: readonly { readonly id: string; readonly why: string; readonly checked: boolean }[];
  /** Sentences about the phones of unknown model, if any. */
  readonly unknown: readonly string[];
  /** All of it in one paragraph. */
  readonly summary: string;
}

const INDEPENDENT =
  'checked for what does not depend on the model (syntax, includes, parameters, values, duplicates), not for accounts per model';

function reasonText(reason: ModelReason): string {
  switch (reason.kind) {
    case 'option':
      return '--model';
    case 'token':
      return `[${reason.token}] at ${reason.file}:${reason.line}`;
    case 'common-cfg':
      return reason.file;
  }
}

export function describeChoice(choice: ModelChoice): ChoiceDescription {
  const models = choice.models.map(({ model, reasons, named, checked }) => {
    const shown = reasons.map(reasonText);
    const more = named > reasons.length ? `, and ${named - reasons.length} more` : '';
    const why =
      choice.source === 'inventory'
        ? 'in the inventory'
        : choice.source === 'option'
          ? 'given with --model'
          : `named by ${shown.join('; ')}${more}`;
    return { id: model.id, why, checked };
  });
  const unknown: string[] = [];
  const { macBoots, macCfgs, commonBoot } = choice.unknown;
  if (macBoots > 0)
    unknown.push(
      `${macBoots} MAC boot file${macBoots === 1 ? ' is a phone' : 's are phones'} of unknown model: ${macBoots === 1 ? 'its' : 'their'} boot file and the includes that name no model followed, ${INDEPENDENT}`,
    );
  if (commonBoot)
    unknown.push(`y000000000000.boot names no model: followed as a phone of unknown model, ${INDEPENDENT}`);
  if (macCfgs > 0 && choice.source !== 'inventory')
    unknown.push(
      `${macCfgs} MAC CFG file${macCfgs === 1 ? ' is' : 's are'} read as ${macCfgs === 1 ? 'a phone' : 'phones'} of unknown model, ${INDEPENDENT}`,
    );

  const checked = models.filter((m) => m.checked);
  const unchecked = models.filter((m) => !m.checked);
  const parts: string[] = [];
  if (choice.source === 'inventory') {
    parts.push(`Models: the inventory's (${checked.map((m) => m.id).join(', ') || 'none'}).`);
  } else if (checked.length > 0) {
    parts.push(
      `Models ${choice.source === 'option' ? 'given with --model' : 'the tree names'}, one phone each: ${checked
        .map((m) => (choice.source === 'tree' ? `${m.id} (${m.why.replace(/^named by /, '')})` : m.id))
        .join('; ')}.`,
    );
  } else if (choice.source === 'tree' && models.length === 0) {
    parts.push('The tree names no model ([$MODEL] token or y0000000000XX.cfg).');
  }
  if (unchecked.length > 0)
    parts.push(
      `Named by the tree but given nothing to read (no common boot file, no common CFG), so no phone of theirs was made up: ${unchecked.map((m) => `${m.id} (${m.why.replace(/^named by /, '')})`).join('; ')}.`,
    );
  for (const sentence of unknown) parts.push(`${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`);
  if (choice.source === 'tree' && (unknown.length > 0 || checked.length === 0))
    parts.push('Give --inventory (or --model) to check phones as their models.');
  return { source: choice.source, models, unknown, summary: parts.join(' ') };
}
