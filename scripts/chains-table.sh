#!/usr/bin/env bash
# Print the Markdown table of docs/chains.md: one row per chain in chains/
# (matters, departments, critical path, compression, fields and materials
# before and after the merge, and the plan's 30 % / 60 % material targets),
# then the locality overlays (extends:) in a table of their own.
#
#   scripts/chains-table.sh                 # every chain in chains/
#   scripts/chains-table.sh path/to/chains  # another folder
#   YILIAN=/work/bin/yilian AS_OF=2025-06-01 scripts/chains-table.sh
#   scripts/chains-table.sh --write docs/chains.md   # regenerate the table
#                                 # between the chains-table markers there
#
# Environment: YILIAN, the yilian binary (default build/cli/yilian); AS_OF,
# the day the chains are planned on (`yilian plan --start`; default today:
# matters not in force that day are left out of the plan, see
# docs/chain-reference.md, Validity). Needs jq.
#
# Figures come from the binary, never from this script:
#   - `yilian validate FILE --json`: the matters in the file (every version)
#     and, for an overlay, its base; the department count is read from the
#     human summary line ("N matters, M departments"), which the JSON lacks;
#   - `yilian plan FILE --json [--start AS_OF]`: the worst case (every
#     conditional matter applies) on that day: the matters that apply, the
#     critical path by promised days with its statutory sum, the compression
#     1 - critical/serial, and the one form's statistics (`form` in the
#     JSON, the same as `yilian form --json`'s `stats`).
#   - the last column counts the comments in the chain file that say
#     `unsure` or `unconfirmed` (grep): where the file notes a figure, an
#     article or a date that is not checked against a primary text.
set -euo pipefail

write=
if [ "${1:-}" = --write ]; then
  write=${2:?--write needs a file}
  shift 2
  self=$0
  tmp=$(mktemp)
  trap 'rm -f "$tmp"' EXIT
  "$self" "$@" >"$tmp"
  grep -q '<!-- chains-table:start -->' "$write" && grep -q '<!-- chains-table:end -->' "$write" || {
    echo "chains-table.sh: $write lacks the <!-- chains-table:start --> / <!-- chains-table:end --> markers" >&2
    exit 2
  }
  awk -v table="$tmp" '
    /<!-- chains-table:end -->/ { skip = 0 }
    !skip { print }
    /<!-- chains-table:start -->/ { while ((getline line < table) > 0) print line; skip = 1 }
  ' "$write" >"$write.new" && mv "$write.new" "$write"
  exit 0
fi

dir=${1:-chains}
yilian=${YILIAN:-build/cli/yilian}
as_of=${AS_OF:-}

command -v jq >/dev/null || { echo "chains-table.sh: jq is required (apt-get install -y jq)" >&2; exit 2; }
[ -x "$yilian" ] || command -v "$yilian" >/dev/null || {
  echo "chains-table.sh: no yilian binary at '$yilian' (set YILIAN)" >&2
  exit 2
}

plan_args=()
[ -n "$as_of" ] && plan_args=(--start "$as_of")

# One row per file, in file order; overlays are kept for the second table.
rows=()
overlay_rows=()
shopt -s nullglob
for file in "$dir"/*.yaml "$dir"/*.yml; do
  v_json=$("$yilian" validate "$file" --json) || {
    echo "chains-table.sh: $file does not validate; run yilian validate $file" >&2
    exit 1
  }
  v_text=$("$yilian" validate "$file" -q)
  departments=$(printf '%s\n' "$v_text" | sed -n 's/.*, \([0-9][0-9]*\) departments.*/\1/p' | head -n 1)
  base=$(jq -r '.files[0].extends.base // empty' <<<"$v_json")
  matters_in_file=$(jq -r '.files[0].matters' <<<"$v_json")
  notes=$(grep -c -i -E 'unsure|unconfirmed' "$file" || true)

  p_json=$("$yilian" plan "$file" --json "${plan_args[@]}") || {
    echo "chains-table.sh: yilian plan $file failed (not in force on ${as_of:-today}?)" >&2
    exit 1
  }
  row=$(jq -r --arg file "$(basename "$file")" --arg deps "${departments:-?}" --arg total "$matters_in_file" \
    --arg base "$base" --arg notes "$notes" '
    def pct: (. * 1000 | round / 10 | tostring) + " %";
    def met($y): (.form.targets[] | select(.year == $y) | if .met then "✓" else "✗" end);
    (.applicable | length) as $n
    | ($total | tonumber) as $all
    | "| `\(.chain)` v\(.version)"
      + (if $base != "" then " | `\($base)`" else "" end)
      + " | \($n)" + (if $all > $n then " (\($all))" else "" end)
      + " | \($deps)"
      + " | \(.critical_path.promised_days) (法定 \(.critical_path.statutory_days)): "
      + (.critical_path.matters | map("`" + . + "`") | join(" → "))
      + " | \(.compression | pct)"
      + " | \(.form.fields_before) → \(.form.fields_after)"
      + " | \(.form.materials_before) → \(.form.materials_after)"
      + " | \(.form.materials_reduction | pct)"
      + " | \(met(2018)) | \(met(2019)) | \($notes) |"' <<<"$p_json")
  if [ -n "$base" ]; then overlay_rows+=("$row"); else rows+=("$row"); fi
done

header='| 链条 (chain) | 事项 | 部门 | 关键路径：承诺工作日（法定） | 压缩 | 字段 前 → 后 | 材料 前 → 后 | 材料减少 | 30 % (2018) | 60 % (2019) | 未核实 |'
rule='|---|---:|---:|---|---:|---:|---:|---:|:---:|:---:|---:|'
echo "$header"
echo "$rule"
printf '%s\n' "${rows[@]}"

if [ ${#overlay_rows[@]} -gt 0 ]; then
  echo
  echo "Locality overlays (\`extends:\`), each the base chain with its local changes:"
  echo
  echo '| 链条 (overlay) | 基础链条 (extends) | 事项 | 部门 | 关键路径：承诺工作日（法定） | 压缩 | 字段 前 → 后 | 材料 前 → 后 | 材料减少 | 30 % (2018) | 60 % (2019) | 未核实 |'
  echo '|---|---|---:|---:|---|---:|---:|---:|---:|:---:|:---:|---:|'
  printf '%s\n' "${overlay_rows[@]}"
fi

echo
echo "Planned as on ${as_of:-$(date +%F)} with \`$("$yilian" --version 2>/dev/null | head -n 1 | cut -d' ' -f1-2)\` (\`scripts/chains-table.sh\`)."
