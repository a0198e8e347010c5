// Build recipes: where a target's source comes from, how to build it, and how to run a proof of concept
// against the build. Checked here so a bad recipe is refused when it is set, not when a sandbox runs it.
import { invalidField, pointerTo } from '../errors.js';

export const recipeSourceKinds = ['path', 'tarball', 'git'] as const;
export type RecipeSourceKind = (typeof recipeSourceKinds)[number];

export interface BuildRecipe {
  sourceKind: RecipeSourceKind;
  /** An absolute local path, or a URL (tarball over http(s); git over https, ssh, git or file). */
  source: string;
  /** The commit (git) or version label built when a finding names none. */
  commit: string | null;
  /** Shell command run in the source tree, with the tree as the only writable place and no network. */
  buildCommand: string;
  /** Shell command run in the built tree; `{poc}` becomes the path of the proof-of-concept file. */
  runCommand: string;
}

/** The placeholder a run command must contain. */
export const pocPlaceholder = '{poc}';

const refPattern = /^[0-9A-Za-z][0-9A-Za-z._\/-]{0,199}$/;

export function parseRecipe(input: unknown): BuildRecipe {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalidField('/', 'a recipe is a JSON object');
  const v = input as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    if (!['sourceKind', 'source', 'commit', 'buildCommand', 'runCommand'].includes(k)) throw invalidField(pointerTo(k), `unknown field ${JSON.stringify(k)}`);
  }
  const sourceKind = v.sourceKind;
  if (!recipeSourceKinds.includes(sourceKind as RecipeSourceKind)) throw invalidField('/sourceKind', `sourceKind must be one of ${recipeSourceKinds.join(', ')}`);
  const source = v.source;
  if (typeof source !== 'string' || source.length === 0 || source.length > 2000 || source.includes('\0')) throw invalidField('/source', 'source must be a path or URL (1–2000 characters)');
  checkSource(sourceKind as RecipeSourceKind, source);
  const commit = v.commit ?? null;
  if (commit !== null && (typeof commit !== 'string' || !refPattern.test(commit) || commit.includes('..'))) {
    throw invalidField('/commit', 'commit must be a commit id, tag or branch name (letters, digits, . _ / -)');
  }
  const buildCommand = command(v.buildCommand, '/buildCommand');
  const runCommand = command(v.runCommand, '/runCommand');
  if (!runCommand.includes(pocPlaceholder)) throw invalidField('/runCommand', `runCommand must contain ${pocPlaceholder} where the proof-of-concept file goes`);
  if (sourceKind === 'git' && commit === null) throw invalidField('/commit', 'a git source needs the commit to build when a finding names none');
  return { sourceKind: sourceKind as RecipeSourceKind, source, commit: commit as string | null, buildCommand, runCommand };
}

function checkSource(kind: RecipeSourceKind, source: string): void {
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
  if (kind === 'path') {
    if (isUrl || !source.startsWith('/')) throw invalidField('/source', 'a path source is an absolute directory path on the clearinghouse host');
    return;
  }
  if (kind === 'tarball') {
    if (isUrl ? !/^https?:\/\//i.test(source) : !source.startsWith('/')) throw invalidField('/source', 'a tarball source is an absolute path or an http(s) URL');
    if (!/\.(tar|tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2)$/i.test(source.split('?')[0]!)) throw invalidField('/source', 'a tarball source must end in .tar, .tar.gz, .tgz, .tar.xz or .tar.bz2');
    return;
  }
  if (isUrl ? !/^(https?|ssh|git|file):\/\//i.test(source) : !source.startsWith('/')) throw invalidField('/source', 'a git source is an https, ssh, git or file URL, or an absolute path to a repository');
}

function command(v: unknown, at: string): string {
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > 4000 || v.includes('\0')) throw invalidField(at, `${at.slice(1)} must be a shell command (1–4000 characters)`);
  return v;
}

/**
 * Where the proof of concept lies inside the sandbox: a fixed name keeping only a plain extension of the
 * reporter's file name (programs may look at it). The reporter chooses the name, so none of it reaches a
 * shell: the path is safe however the recipe quotes `{poc}`, even inside double quotes.
 */
export function pocPathInside(filename: string, dir = '/scratch'): string {
  const ext = /\.([A-Za-z0-9_-]{1,16})$/.exec(filename)?.[1];
  return `${dir}/poc${ext ? `.${ext}` : ''}`;
}

// Nothing sh treats specially, bare or inside either kind of quotes: no quoting needed, none can break.
const safePath = /^\/[A-Za-z0-9._\/-]+$/;

/** The run command with `{poc}` replaced; the path must be one `pocPathInside` gives (no shell syntax in it). */
export function expandRunCommand(template: string, pocPath: string): string {
  if (!safePath.test(pocPath)) throw new Error(`refusing a proof-of-concept path with shell syntax in it: ${JSON.stringify(pocPath)}`);
  return template.split(pocPlaceholder).join(pocPath);
}
