// Colour for the reports of check, diff and explain: on a terminal only, never with NO_COLOR, and
// on request with FORCE_COLOR. (picocolors alone would also colour any output when CI is set.)
import { createColors } from 'picocolors';

export function colourWanted(
  env: NodeJS.ProcessEnv = process.env,
  isTTY = process.stdout.isTTY === true,
): boolean {
  if ('NO_COLOR' in env && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}

export const pc = createColors(colourWanted());
