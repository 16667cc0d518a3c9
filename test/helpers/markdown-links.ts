/**
 * The links of the project's Markdown documents, checked the way a reader on a fresh clone
 * (or on GitHub) follows them: a relative link must name a file of the repository, its
 * `#anchor` a heading of that file, and no document may point into a folder that only
 * exists on the developers' machines. Links to public http(s) pages are allowed and not
 * fetched.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Paths that exist only beside the repository on a developer's machine, never in a clone. */
const OUTSIDE_PATHS = ['../shared', '/work/'];

export interface LinkProblem {
  /** The document, relative to the root. */
  file: string;
  line: number;
  problem: string;
}

export interface DocumentLink {
  line: number;
  target: string;
}

/** README.md and the other documents at the root, and every document under docs/. */
export function projectDocuments(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  const atRoot = readdirSync(root).filter((name) => name.endsWith('.md') && statSync(join(root, name)).isFile());
  return [...atRoot, ...(existsSync(join(root, 'docs')) ? walk('docs') : [])].sort();
}

/** The lines of a document outside fenced code blocks, with their 1-based numbers. */
function proseLines(text: string): Array<{ line: number; text: string }> {
  const lines: Array<{ line: number; text: string }> = [];
  let fence: string | undefined;
  text.split('\n').forEach((content, index) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(content);
    if (fence !== undefined) {
      if (opening && opening[1]!.startsWith(fence)) fence = undefined;
    } else if (opening) fence = opening[1]!;
    else lines.push({ line: index + 1, text: content });
  });
  return lines;
}

/** A heading's anchor as GitHub makes it: lowercase, punctuation dropped, each space a `-`. */
export function githubSlug(heading: string): string {
  const plain = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link or image: its text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/[`*]/g, '');
  return plain
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a document's headings make; a repeated heading gets `-1`, `-2`… as on GitHub. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: content } of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(content);
    if (!heading) continue;
    const slug = githubSlug(heading[1]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The targets of a document's inline links and images, and of its reference definitions; code is not prose. */
export function documentLinks(text: string): DocumentLink[] {
  const links: DocumentLink[] = [];
  for (const { line, text: content } of proseLines(text)) {
    const prose = content.replace(/(`+)[\s\S]*?\1/g, (code) => ' '.repeat(code.length));
    for (const match of prose.matchAll(/!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line, target: match[1]! });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose);
    if (definition) links.push({ line, target: definition[1]! });
  }
  return links;
}

/** What is wrong with one link of `file`: undefined when a reader can follow it. */
function linkProblem(root: string, file: string, target: string, anchorsOf: (path: string) => Set<string>): string | undefined {
  if (/^https?:\/\//i.test(target)) return undefined;
  if (target === '') return 'an empty link';
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return `${target}: only http(s) links may leave the repository`;
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  if (pathPart.startsWith('/')) return `${target}: an absolute path does not resolve in a clone; link relative to ${file}`;
  const resolved = pathPart === '' ? join(root, file) : resolve(root, dirname(file), pathPart);
  const inside = relative(root, resolved);
  if (inside === '..' || inside.startsWith(`..${sep}`)) return `${target}: points outside the repository`;
  if (!existsSync(resolved)) return `${target}: no such file in the repository`;
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith('.md')) {
    return /^L\d+(-L\d+)?$/.test(anchor) ? undefined : `${target}: only a Markdown file has heading anchors`;
  }
  if (!anchorsOf(resolved).has(anchor)) return `${target}: no heading of ${inside.split(sep).join('/')} makes the anchor #${anchor}`;
  return undefined;
}

/** Every broken link and every mention of a path outside the repository in the given documents. */
export function linkProblems(root: string, files: readonly string[]): LinkProblem[] {
  const anchors = new Map<string, Set<string>>();
  const anchorsOf = (path: string): Set<string> => {
    let found = anchors.get(path);
    if (!found) anchors.set(path, (found = headingAnchors(readFileSync(path, 'utf8'))));
    return found;
  };
  const problems: LinkProblem[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    text.split('\n').forEach((content, index) => {
      for (const path of OUTSIDE_PATHS) {
        if (content.includes(path)) problems.push({ file, line: index + 1, problem: `mentions ${path}, which a clone does not have` });
      }
    });
    for (const { line, target } of documentLinks(text)) {
      const problem = linkProblem(root, file, target, anchorsOf);
      if (problem) problems.push({ file, line, problem });
    }
  }
  return problems;
}
