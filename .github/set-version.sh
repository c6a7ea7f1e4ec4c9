#!/usr/bin/env bash
# Sets the project's version everywhere it is written: pom.xml, the bundle's manifest
# (src/mcpb/manifest.json), server.json and jbang-catalog.json (versions and release URLs).
# The release workflow runs it with the tag's version; run it yourself before tagging.
# DistributionFilesTest fails the build if the files disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
new="${1:?usage: .github/set-version.sh X.Y.Z}"
[[ "$new" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || { echo "not a semantic version: $new" >&2; exit 2; }
old="$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -1)"
[[ -n "$old" ]] || { echo "pom.xml: no project <version> found" >&2; exit 1; }
[[ "$old" == "$new" ]] && { echo "version is already $new"; exit 0; }
esc="${old//./\\.}"
sed -i.bak "s|^  <version>$esc</version>$|  <version>$new</version>|" pom.xml  # the project's: the only one indented by two
sed -i.bak "s|\"version\": \"$esc\"|\"version\": \"$new\"|" src/mcpb/manifest.json server.json
sed -i.bak "s|/releases/download/v$esc/|/releases/download/v$new/|" server.json jbang-catalog.json
rm -f pom.xml.bak src/mcpb/manifest.json.bak server.json.bak jbang-catalog.json.bak
echo "version $old -> $new"
