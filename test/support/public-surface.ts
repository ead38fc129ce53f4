/**
 * What a package's declarations offer a consumer, read with the TypeScript compiler API: the
 * names its entry exports, and the types those exports reach that it does not export (what
 * api-extractor calls a forgotten export: a consumer meets the type but cannot name it).
 */
import { dirname, relative, sep } from 'node:path';
import ts from 'typescript';

export interface PublicExport {
  name: string;
  /** usable in a type position as is (an interface, a type alias, a class, an enum) */
  isType: boolean;
  /** a value: usable as `typeof name` */
  isValue: boolean;
  /** type parameters without a default: `name<any, …>` in a type position */
  requiredTypeArguments: number;
}

interface ForgottenExport {
  name: string;
  /** the declaration file, relative to the package's entry */
  file: string;
  /** the export whose declarations reach it (through others, maybe) */
  reachedFrom: string;
}

export interface PublicSurface {
  exports: PublicExport[];
  forgotten: ForgottenExport[];
}

/** Reads the surface of the declarations at `entry` (a package's index.d.ts). */
export function readPublicSurface(entry: string): PublicSurface {
  const program = ts.createProgram([entry], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ['node'] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`${entry} is not a module the compiler can read`);
  const packageRoot = dirname(entry) + sep;
  const named = checker.getExportsOfModule(moduleSymbol).map((symbol) => ({ name: symbol.name, target: resolved(checker, symbol) }));
  const exported = new Set(named.map((e) => e.target));
  return {
    exports: named.map(({ name, target }) => describeExport(name, target)).sort((a, b) => a.name.localeCompare(b.name)),
    forgotten: forgottenExports(checker, named, exported, packageRoot),
  };
}

function resolved(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function describeExport(name: string, symbol: ts.Symbol): PublicExport {
  const typeParameters = (symbol.declarations ?? []).flatMap((d) => (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d) || ts.isClassDeclaration(d) ? [d.typeParameters ?? []] : []))[0] ?? [];
  return {
    name,
    isType: (symbol.flags & ts.SymbolFlags.Type) !== 0,
    isValue: (symbol.flags & ts.SymbolFlags.Value) !== 0,
    requiredTypeArguments: typeParameters.filter((p) => p.default === undefined).length,
  };
}

/** Walks the declarations of every export and of every package type they name, breadth first. */
function forgottenExports(checker: ts.TypeChecker, named: readonly { name: string; target: ts.Symbol }[], exported: ReadonlySet<ts.Symbol>, packageRoot: string): ForgottenExport[] {
  const seen = new Set<ts.Symbol>(named.map((e) => e.target));
  const queue = named.map((e) => ({ symbol: e.target, from: e.name }));
  const forgotten: ForgottenExport[] = [];
  const inPackage = (d: ts.Declaration): boolean => {
    const file = d.getSourceFile().fileName;
    return file.startsWith(packageRoot) && !file.slice(packageRoot.length).split(sep).includes('node_modules');
  };
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { from } = next;
    for (const declaration of (next.symbol.declarations ?? []).filter(inPackage)) {
      for (const reached of namedSymbols(checker, declaration)) {
        if (seen.has(reached) || !(reached.declarations ?? []).some(inPackage)) continue;
        seen.add(reached);
        if (!exported.has(reached)) {
          const file = (reached.declarations ?? []).find(inPackage)?.getSourceFile().fileName ?? '';
          forgotten.push({ name: reached.name, file: relative(packageRoot, file), reachedFrom: from });
        }
        queue.push({ symbol: reached, from });
      }
    }
  }
  return forgotten.sort((a, b) => a.name.localeCompare(b.name));
}

/** The symbols a declaration names in its types: references, `typeof` queries, `import("…").X`, `extends`/`implements`. */
function namedSymbols(checker: ts.TypeChecker, declaration: ts.Node): ts.Symbol[] {
  const found: ts.Symbol[] = [];
  const add = (node: ts.Node | undefined): void => {
    const symbol = node === undefined ? undefined : checker.getSymbolAtLocation(node);
    // a type parameter is the declaration's own; what a consumer must name is the leftmost part of `A.B`
    if (symbol !== undefined && (symbol.flags & ts.SymbolFlags.TypeParameter) === 0) found.push(resolved(checker, symbol));
  };
  const leftmost = (name: ts.EntityName | ts.Expression): ts.Node => (ts.isQualifiedName(name) ? leftmost(name.left) : ts.isPropertyAccessExpression(name) ? leftmost(name.expression) : name);
  const visit = (node: ts.Node): void => {
    if (ts.isTypeReferenceNode(node)) add(leftmost(node.typeName));
    else if (ts.isTypeQueryNode(node)) add(leftmost(node.exprName));
    else if (ts.isImportTypeNode(node)) add(node.qualifier === undefined ? undefined : leftmost(node.qualifier));
    else if (ts.isExpressionWithTypeArguments(node)) add(leftmost(node.expression));
    // a private member's type is not part of the surface (declarations omit it anyway)
    if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) return;
    ts.forEachChild(node, visit);
  };
  // a module-level declaration's own children; a variable's type sits on its declaration
  ts.forEachChild(declaration, visit);
  return found;
}
