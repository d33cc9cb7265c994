/**
 * `node -r ./ts-register.js src/main.ts ...`: runs the monitor from its TypeScript sources by
 * transpiling each file on load (as ts-jest does, without a type check), so multi-process tests
 * exercise the same code as the in-process ones even when `dist/` is stale or absent.
 */
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
};

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
