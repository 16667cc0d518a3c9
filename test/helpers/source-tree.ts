/**
 * The project's own source, read as text and as syntax, for the architecture checks: which
 * file imports which, and how long each function is. The syntax comes from the project's
 * own TypeScript (its tsgo API, pinned with the compiler), so no other parser is needed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API } from 'typescript/unstable/sync';
import { getTokenPosOfNode, type Node, type SourceFile } from 'typescript/unstable/ast';
import { isArrowFunction, isConstructorDeclaration, isFunctionDeclaration, isFunctionExpression, isGetAccessorDeclaration, isMethodDeclaration, isSetAccessorDeclaration } from 'typescript/unstable/ast/is';

/** The repository root (this file runs as dist/test/helpers/source-tree.js). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface SourceModule {
  /** Relative to the root, with forward slashes: `src/http/app.ts`. */
  path: string;
  text: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every TypeScript file under `src/`, or under another folder of the root (`bench`). */
export function sourceModules(folder = 'src'): SourceModule[] {
  return walk(join(ROOT, folder))
    .sort()
    .map((file) => ({ path: relative(ROOT, file).split('\\').join('/'), text: readFileSync(file, 'utf8') }));
}

/** The text without comments, so that a comment naming SQL or a module is not taken for code. */
export function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const IMPORT = /(?:^|\s)(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module names a file imports or re-exports, type-only imports and dynamic imports included. */
export function importsOf(module: SourceModule): string[] {
  return [...withoutComments(module.text).matchAll(IMPORT)].map((match) => (match[1] ?? match[2])!);
}

/** The project files a file imports, as paths like `src/http/app.ts`. */
export function localImportsOf(module: SourceModule): string[] {
  return importsOf(module)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(ROOT, resolve(ROOT, dirname(module.path), name.replace(/\.js$/, '.ts'))).split('\\').join('/'));
}

/** Every import cycle, each as the list of files around it (one cycle per strongly connected group). */
export function importCycles(modules: SourceModule[]): string[][] {
  const edges = new Map(modules.map((module) => [module.path, localImportsOf(module)]));
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || (edges.get(node) ?? []).includes(node)) cycles.push(group.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

export interface FunctionSpan {
  path: string;
  /** The function's name where it has one, else where it starts. */
  name: string;
  line: number;
  lines: number;
}

function isFunctionLike(node: Node): boolean {
  return (
    isFunctionDeclaration(node) ||
    isFunctionExpression(node) ||
    isArrowFunction(node) ||
    isMethodDeclaration(node) ||
    isConstructorDeclaration(node) ||
    isGetAccessorDeclaration(node) ||
    isSetAccessorDeclaration(node)
  );
}

function lineOf(text: string, position: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function nameOf(node: Node, text: string): string {
  const name = (node as { name?: Node }).name;
  return name ? text.slice(name.pos, name.end).trim() : '(anonymous)';
}

/** Every function, method and arrow function of the given files, with its length in lines (first to last). */
export function functionSpans(paths: string[]): FunctionSpan[] {
  const api = new API({ cwd: ROOT });
  try {
    const project = api.updateSnapshot({ openProject: join(ROOT, 'tsconfig.json') }).getProjects()[0]!;
    const spans: FunctionSpan[] = [];
    for (const path of paths) {
      const file: SourceFile | undefined = project.program.getSourceFile(join(ROOT, path));
      if (!file) throw new Error(`${path} is not part of the project`);
      const visit = (node: Node): void => {
        if (isFunctionLike(node)) {
          const line = lineOf(file.text, getTokenPosOfNode(node, file));
          spans.push({ path, name: nameOf(node, file.text), line, lines: lineOf(file.text, node.end) - line + 1 });
        }
        node.forEachChild(visit);
      };
      file.forEachChild(visit);
    }
    return spans;
  } finally {
    api.close();
  }
}
