#!/usr/bin/env bash
# Checks that binding/*.cc and binding/*.h are as clang-format (.clang-format at the root) would write them,
# and fails naming the files that are not. Uses the clang-format binary of the `clang-format` npm package
# (a devDependency), so every machine checks with the same version.
#   bash scripts/check-format.sh          check; exit 1 and list the files that need formatting
#   bash scripts/check-format.sh --diff   the same, and print what would change
#   bash scripts/check-format.sh --fix    format them in place (`npm run format`)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=check
case "${1:-}" in
  '') ;;
  --diff) mode=diff ;;
  --fix) mode=fix ;;
  *) echo "usage: $0 [--diff | --fix]" >&2; exit 2 ;;
esac

clang_format=$(node -p "require('clang-format').getNativeBinary()" 2>/dev/null) || {
  echo "check-format: the clang-format npm package is missing; run npm ci" >&2
  exit 2
}
shopt -s nullglob
files=(binding/*.cc binding/*.h)
if [ ${#files[@]} -eq 0 ]; then
  echo "check-format: no files under binding/" >&2
  exit 2
fi

if [ "$mode" = fix ]; then
  "$clang_format" --style=file -i "${files[@]}"
  echo "check-format: formatted ${#files[@]} files"
  exit 0
fi

bad=()
for f in "${files[@]}"; do
  if out=$("$clang_format" --style=file --dry-run --Werror "$f" 2>&1); then
    continue
  fi
  if ! grep -q 'clang-format-violations' <<<"$out"; then
    # Not a formatting difference: clang-format itself failed (a bad .clang-format, an unreadable file).
    printf 'check-format: clang-format failed on %s:\n%s\n' "$f" "$out" >&2
    exit 2
  fi
  n=$(grep -c 'clang-format-violations' <<<"$out")
  bad+=("$f ($n place$([ "$n" -eq 1 ] || echo s))")
  if [ "$mode" = diff ]; then
    "$clang_format" --style=file "$f" | diff -u --label "$f" --label "$f (formatted)" "$f" - || true
  fi
done

if [ ${#bad[@]} -gt 0 ]; then
  echo "check-format: ${#bad[@]} of ${#files[@]} files are not clang-formatted:"
  printf '  %s\n' "${bad[@]}"
  echo "Run 'npm run format' to format them, or 'bash scripts/check-format.sh --diff' to see the changes."
  exit 1
fi
echo "check-format: ${#files[@]} files clang-formatted"
