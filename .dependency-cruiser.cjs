// Layers of cwl-trim, top to bottom: a module may import its own layer and the layers below it,
// never one above (`npm test` runs this check; test/unit/layers.test.ts proves it fails on an upward
// import). The sandbox (sandbox/, its own workspace package) is a test oracle: it imports nothing of
// the product, and only the demo (loaded lazily) of the product imports it.
/** @type {{ name: string, path: string }[]} */
const LAYERS = [
  { name: 'entry', path: '^src/(bin|cli|handler)\\.ts$|^src/cli/|^src/demo/' },
  { name: 'run', path: '^src/(run|runAndReport|createDeps|runMetrics)\\.ts$|^src/archiveTools/' },
  { name: 'report', path: '^src/report/' },
  { name: 'execute', path: '^src/execute/' },
  { name: 'archive-trim', path: '^src/(archive|trim)/' },
  { name: 'aws', path: '^src/aws/|^src/(deps|interrupt)\\.ts$' },
  { name: 'plan', path: '^src/plan/' },
  { name: 'base', path: '^src/(types|errors|constants|config|settings|clock|logger|version)\\.ts$' },
];

const upward = LAYERS.flatMap((from, i) =>
  i === 0
    ? []
    : [
        {
          name: `no-upward-from-${from.name}`,
          comment: `${from.name} may not import ${LAYERS.slice(0, i).map((l) => l.name).join(', ')}: arrows point down`,
          severity: 'error',
          from: { path: from.path },
          to: { path: LAYERS.slice(0, i).map((l) => `(${l.path})`).join('|') },
        },
      ],
);

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'every-module-has-a-layer',
      comment: 'a product module outside every layer: add it to LAYERS in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.map((l) => `(${l.path})`).join('|') },
      to: {},
    },
    {
      name: 'sandbox-imports-no-product',
      comment: 'the sandbox is an oracle with its own AWS facts: it imports nothing of the product',
      severity: 'error',
      from: { path: '^sandbox/' },
      to: { path: '^(src|bench|scripts|test)/' },
    },
    {
      name: 'product-imports-no-sandbox',
      comment: 'only the demo (loaded lazily), the tests and the bench use the sandbox',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/demo/' },
      to: { path: '^(sandbox/|@cwl-trim/sandbox)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(src|sandbox)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
