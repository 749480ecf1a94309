#!/usr/bin/env bash
# Validator and browser checks of the built site (what `cargo test` cannot see):
#
#   1. builds the shipped library twice, Chinese first (target/site-check: Chinese at the root,
#      English under en/) and English first (target/site-check-en: the other way round), and the
#      page-bundle fixture (target/site-check-bundles: images and PDFs beside its cases), with
#      the debug binary `cargo test` already built;
#   2. runs the Nu Html Checker (vnu.jar, needs Java) over every page of all three: any error fails;
#   3. runs scripts/axe.mjs in headless Chromium on the home, a case, a force and the matrix
#      page of each language (and the bundle fixture's cases with images), from file:// and over
#      HTTP under /kb/: a CSP violation, an outside request, a file that does not load, a
#      stylesheet that did not apply or a serious/critical axe-core violation fails.
#
# Needs: cargo, java, node + npm, python3, chromium (/usr/bin/chromium or CHROMIUM=path).
# .ci/run installs what is missing. Usage: bash scripts/check-html.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/site-check
out_en=target/site-check-en
out_bundles=target/site-check-bundles

for tool in cargo java node npm python3; do
  command -v "$tool" >/dev/null || { echo "check-html: $tool is missing (see .ci/run for the packages)" >&2; exit 2; }
done

echo "check-html: building the site"
cargo build --locked --quiet
bin=target/debug/casebook
# Scratch output: built afresh each time (a build refuses to replace a folder it cannot prove
# it wrote, such as one left by an older casebook).
rm -rf "$out" "$out_en" "$out_bundles"
"$bin" build --root . --out "$out"
en_root=$(mktemp -d)
trap 'rm -rf "$en_root"' EXIT
cp -R cases static "$en_root/"
# English first: the English pages at the root and the Chinese ones under zh-CN/.
sed 's/^languages = .*/languages = ["en", "zh-CN"]/' casebook.toml >"$en_root/casebook.toml"
grep -q '^languages = \["en", "zh-CN"\]' "$en_root/casebook.toml" || { echo "check-html: casebook.toml has no languages line to swap" >&2; exit 2; }
"$bin" build --root "$en_root" --out "$out_en"
"$bin" build --root tests/fixtures/bundles --out "$out_bundles"

# The Node tools, exactly as locked (install scripts off: vnu-jar's would download a JDK).
if [ ! -f scripts/node_modules/.package-lock.json ] || [ scripts/package-lock.json -nt scripts/node_modules/.package-lock.json ]; then
  echo "check-html: npm ci"
  (cd scripts && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

echo "check-html: Nu Html Checker"
java -jar scripts/node_modules/vnu-jar/build/dist/vnu.jar --errors-only --skip-non-html "$out" "$out_en" "$out_bundles"
echo "check-html: vnu found no error in $(find "$out" "$out_en" "$out_bundles" -name '*.html' | wc -l) pages"

echo "check-html: browser (axe-core, CSP, styles)"
node scripts/axe.mjs "$out"
# The bundle fixture's pages with images beside their cases: each image loads, from file:// and
# under /kb/, within the CSP.
node scripts/axe.mjs "$out_bundles" cases/sorting.html cases/beta.html
