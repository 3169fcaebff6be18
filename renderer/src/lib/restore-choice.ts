/** What to restore: a day, and paths in it (none: the whole day). */
export interface RestoreChoice {
  backup: string;
  paths: string[];
}
