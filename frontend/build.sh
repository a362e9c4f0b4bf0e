#!/usr/bin/env bash
# Builds himaccess/static/himaccess/govuk.css from the pinned GOV.UK Frontend with our settings
# (himaccess.scss), then records what was built in himaccess/vendor/govuk-frontend/SHA256SUMS.
#
# Needs Node.js and npm. `npm ci` installs exactly the locked versions and checks each tarball
# against the integrity recorded in package-lock.json; no install script is run.
set -euo pipefail
cd "$(dirname "$0")"

vendor=../himaccess/vendor/govuk-frontend
css=../himaccess/static/himaccess/govuk.css
version=$(node -p 'require("./package.json").devDependencies["govuk-frontend"]')

npm ci --ignore-scripts --no-audit --no-fund
installed=$(node -p 'require("govuk-frontend/package.json").version')
[ "$installed" = "$version" ] || { echo "installed govuk-frontend $installed, expected $version" >&2; exit 1; }

npx --no-install sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
  himaccess.scss "$css"

# The brand rules, checked on the output: no GOV.UK typeface, no image (the crest or the crown).
if grep -q -i -e "GDS Transport" -e "url(" "$css"; then
  echo "$css names the GOV.UK typeface or an image; check himaccess.scss" >&2
  exit 1
fi

# The package's tarball, as npm checked it against the lock (taken from npm's cache, not fetched
# again), so anyone can compare it with `npm pack govuk-frontend@$version`.
tarballs=$(mktemp -d)
trap 'rm -rf "$tarballs"' EXIT
packed=$(npm pack "govuk-frontend@$version" --pack-destination "$tarballs" --json)
locked=$(node -p 'require("./package-lock.json").packages["node_modules/govuk-frontend"].integrity')
node -e 'const [p, l] = [JSON.parse(process.argv[1])[0].integrity, process.argv[2]];
  if (p !== l) { console.error(`tarball integrity ${p} differs from the lock ${l}`); process.exit(1); }' \
  "$packed" "$locked"
tarball="govuk-frontend-$version.tgz"

(
  cd "$tarballs" && sha256sum "$tarball"
  cd "$OLDPWD/$vendor" && sha256sum LICENSE ../../static/himaccess/govuk.css
) > "$vendor/SHA256SUMS"

echo "built $css ($(wc -c < "$css") bytes, $(gzip -9c "$css" | wc -c) gzipped); npm integrity $locked"
