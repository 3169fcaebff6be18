/** `burrow keys`'s usage: main.ts's list and keys.ts's errors print it. */
export const KEYS_USAGE = `burrow keys list [--json]
       burrow keys generate NAME [--comment TEXT]
       burrow keys import PATH [--name NAME] [--comment TEXT]
       burrow keys show NAME
       burrow keys remove NAME [--yes]
       burrow keys install NAME --host HOST [--role source|destination] [--path DIR] [--fingerprint SHA256:...]
       burrow keys update-gate HOST
       burrow keys gate HOST [--json]`;
