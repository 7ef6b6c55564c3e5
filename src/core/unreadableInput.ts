// A usage error about a file, folder or revision the user named that cannot be read or is not what
// it should be: still exit status 2 on the command line (it is a UsageError), but the library tells
// it apart (AutopError code `unreadable`).
import { UsageError } from './usageError.js';

export class UnreadableInput extends UsageError {}
