// Why a transfer failed (spec D), in a module of its own: reports name it, and their declarations
// need nothing else of the fetchers (the library's types stay free of Node's, issue #17).

/**
 * Why a transfer failed, in the terms of the guide's diagnostics (spec D). `too-large`: over the
 * request's `maxBytes`; `offline`: a URL a round on a tree on disk does not fetch (issue #12).
 */
export type FailureCause =
  | 'unreachable'
  | 'timeout'
  | 'auth'
  | 'tls'
  | 'server-error'
  | 'protocol'
  | 'outside-root'
  | 'unsupported'
  | 'too-large'
  | 'offline';
