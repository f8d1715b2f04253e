// For a child process started by root: gives up root for good (groups, group, user), and checks
// that it did. Called after the child's modules are loaded, so the user needs no access to the
// checkout or to the Node binary (both may sit in a 0700 home folder), only to what the test gives it.

/** Debian's nobody / nogroup. */
export const NOBODY = 65534;

export function becomeUser(uid: number, gid = uid): void {
  process.setgroups?.([]);
  process.setgid?.(gid);
  process.setuid?.(uid);
  if (process.getuid?.() !== uid || process.geteuid?.() !== uid || process.getgid?.() !== gid || (process.getgroups?.() ?? []).some((group) => group !== gid)) {
    throw new Error(`could not become user ${uid}:${gid} (now ${process.getuid?.()}:${process.getgid?.()}, groups ${process.getgroups?.().join(',')})`);
  }
}
