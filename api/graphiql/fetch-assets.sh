#!/bin/sh
# Fetches the GraphiQL page's assets from the npm registry at the versions pinned below into
# api/graphiql/assets/ (run by `make graphiql-assets`). The page is served with no network,
# so the files are committed; to update, change a version here, run it, and run
# tests/e2e/test_graphiql.py. `npm pack` checks each tarball against the registry's integrity
# hash. Only the minified files the page loads are kept, each beside its licence.
set -eu

GRAPHIQL=3.8.3                # its UMD build; from 4 on it is ESM-only, for bundlers
REACT=18.3.1                  # the last React with UMD builds, which GraphiQL 3 runs on
EXPLORER=1.0.2                # @graphiql/plugin-explorer, for GraphiQL 3
GRAPHIQL_EXPLORER=0.9.0       # bundled inside the explorer plugin: only its licence is taken

assets="$(cd "$(dirname "$0")" && pwd)/assets"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

unpack() {  # unpack PACKAGE@VERSION NAME: the package's files in $work/NAME
    tarball="$(cd "$work" && npm pack --silent "$1")"
    mkdir "$work/$2"
    tar -xzf "$work/$tarball" -C "$work/$2" --strip-components=1
}

unpack "graphiql@$GRAPHIQL" graphiql
unpack "react@$REACT" react
unpack "react-dom@$REACT" react-dom
unpack "@graphiql/plugin-explorer@$EXPLORER" plugin-explorer
unpack "graphiql-explorer@$GRAPHIQL_EXPLORER" graphiql-explorer

rm -rf "$assets"
mkdir -p "$assets/graphiql" "$assets/react" "$assets/react-dom" "$assets/plugin-explorer"
cp "$work/graphiql/graphiql.min.js" "$work/graphiql/graphiql.min.css" \
   "$work/graphiql/LICENSE" "$assets/graphiql/"
cp "$work/react/umd/react.production.min.js" "$work/react/LICENSE" "$assets/react/"
cp "$work/react-dom/umd/react-dom.production.min.js" "$work/react-dom/LICENSE" \
   "$assets/react-dom/"
cp "$work/plugin-explorer/dist/index.umd.js" "$work/plugin-explorer/dist/style.css" \
   "$assets/plugin-explorer/"
# The plugin's package carries no licence file: it is MIT (its package.json) and lives in
# GraphiQL's repository, under GraphiQL's licence; graphiql-explorer is bundled into it.
cp "$work/graphiql/LICENSE" "$assets/plugin-explorer/LICENSE"
cp "$work/graphiql-explorer/LICENSE" "$assets/plugin-explorer/LICENSE.graphiql-explorer"

# The source maps are not shipped, so a browser's developer tools must not ask for them.
sed -i '/^\/\/# sourceMappingURL=/d' "$assets/graphiql/graphiql.min.js"
sed -i 's|/\*# sourceMappingURL=[^*]*\*/||' "$assets/graphiql/graphiql.min.css"
if grep -rl 'sourceMappingURL=' "$assets"; then
    echo "a source map is still referenced (above): strip it too" >&2
    exit 1
fi
echo "GraphiQL $GRAPHIQL, React $REACT, explorer $EXPLORER: in $assets"
