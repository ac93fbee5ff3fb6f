#!/usr/bin/env bash
# Fills fuzz/corpus/<harness>/ with seeds from the repository's own data:
# chains, calendars, scenarios, applications, deployments, the test corpora
# and the YAML examples of docs/. Files over 40 KB are left out (the fuzzer
# mutates small inputs faster, and the corpus is committed). Run it again
# after the data changes; it replaces the seeds it wrote and nothing else.
#   fuzz/seed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
max_bytes=40960
out=fuzz/corpus

# copy HARNESS FILE...: each file under its repository path, '/' as '--'.
copy() {
  local h=$1
  shift
  mkdir -p "$out/$h"
  local f
  for f in "$@"; do
    [[ -f $f ]] || continue
    (($(stat -c %s "$f") <= max_bytes)) || continue
    cp "$f" "$out/$h/${f//\//--}"
  done
}

# doc_blocks HARNESS DOC: every ```yaml block of a document, one file each.
doc_blocks() {
  local h=$1 doc=$2 name
  name=${doc//\//--}
  mkdir -p "$out/$h"
  awk -v dir="$out/$h" -v name="$name" '
    /^```yaml/ { n++; file = sprintf("%s/%s.%d.yaml", dir, name, n); inside = 1; next }
    /^```/     { inside = 0; next }
    inside     { print > file }' "$doc"
}

rm -rf "$out"
mkdir -p "$out"

copy chain chains/*.yaml tests/chains/valid/*.yaml tests/chains/invalid/*.yaml tests/form/chains/*.yaml \
  tests/bpmn/*.yaml tests/js/schema-negative/*.yaml tests/js/schema-positive/*.yaml tests/js/ui-chains/*.yaml
doc_blocks chain docs/chain-format.md

# Conditions: every distinct `when:` of the chains, one file each, as the
# loader hands the text to the parser (quotes and a closing brace removed).
mkdir -p "$out/condition"
grep -h -o 'when: .*' chains/*.yaml tests/chains/valid/*.yaml tests/chains/invalid/*.yaml tests/form/chains/*.yaml |
  perl -ne 's/^when: *//; chomp;
    if (/^"((?:[^"\\]|\\.)*)"/ || /^\x27([^\x27]*)\x27/) { print "$1\n"; next }
    s/,\s*[a-z_]+:.*$//; s/\s*\}*\s*$//; print "$_\n" if length' | sort -u |
  awk -v dir="$out/condition" '{ n++; f = sprintf("%s/when-%03d.txt", dir, n); printf "%s", $0 > f; close(f) }'

copy application examples/applications/*.yaml tests/applications/*.yaml
doc_blocks application docs/form.md
# The .expect.yaml files of tests/applications are answers, not applications.
rm -f "$out"/application/*.expect.yaml

copy deployment examples/deploy/*.yaml tests/js/deployment-negative/*.yaml
doc_blocks deployment docs/engine.md

copy calendar chains/calendars/*.yaml

copy scenario chains/scenarios/*.yaml

# Field values: byte 0 and an application (a file of form values), or byte 1
# and KEY=TEXT for each value the example applications give.
mkdir -p "$out/field_values"
for f in examples/applications/*.yaml tests/applications/*.yaml; do
  [[ $f == *.expect.yaml ]] && continue
  (($(stat -c %s "$f") <= max_bytes)) || continue
  base=${f//\//--}
  { printf '\0'; cat "$f"; } >"$out/field_values/$base"
  chain=$(sed -n 's/^chain: *//p' "$f" | head -1)
  sed -n 's/^  \([a-z_]*\.[a-z_.]*\): *\(.*\)$/\1=\2/p' "$f" | sed -e 's/ *#.*$//' -e 's/="\(.*\)"$/=\1/' |
    while IFS= read -r kv; do
      n=$(printf '%s' "$chain $kv" | sha1sum | cut -c1-12)
      { printf '\1'; printf '%s' "$kv"; printf '\nchain: %s\n' "$chain"; } >"$out/field_values/kv-$n"
    done
done

# JSON from outside the process: byte '0' and a department's answer, '1'
# and a request as the CLI leaves it in the inbox, '2' and the receipt the
# engine writes back (fuzz_json.cpp). The answers are those of
# docs/engine.md's table; the requests one of each kind.
mkdir -p "$out/json"
n=0
grep -o '^| `{"outcome"[^`]*}`' docs/engine.md | sed 's/^| `//; s/`$//' | while IFS= read -r a; do
  n=$((n + 1))
  printf '0%s' "$a" >"$out/json/answer-$n.json"
done
n=0
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s' "$line" >"$out/json/$(printf 'json-%02d' "$n").json"
done <<'JSON'
1{"type":"submit","chain":"kindergarten-setup","version":3,"fields":{"applicant.name":"淄川区阳光幼儿园","school.capacity":180,"site.area":1200.5,"venue.serves_food":true,"school.classes":["小班","中班"],"site.note":null},"materials":["lease","site-plan"],"channel":"online","idempotency_key":"k-1","agent":{"name":"张三","id_number":"370302199001011234","phone":"13800000000"},"commitments":[2],"reuse_consent":true,"actor":{"account":"w1","role":"window","channel":"window"}}
1{"type":"supplement","case":7,"fields":{"site.area":900},"materials":["lease"],"in_person":true}
1{"type":"report","case":1,"matter":"fire-filing","attempt":2,"outcome":{"outcome":"approved","produced":{"school.permit_no":"教民140302"}},"actor":{"account":"d1","role":"department","department":"fire","channel":"department"}}
1{"type":"report","case":1,"matter":"a","attempt":1,"outcome":{"outcome":"suspended","suspension":"expert-review","told_days":10,"reason":"专家评审"}}
1{"type":"withdraw","case":3,"reason":"申请人撤回"}
1{"type":"deliver","case":3,"method":"express","tracking":"SF1234567890"}
1{"type":"extend","case":3,"matter":"school-permit","basis":"department-head","days":10,"approver":"李四","approved_on":"2026-12-01","reason":"情况复杂"}
1{"type":"retry","case":3,"matter":"health-evaluation"}
1{"type":"claim","case":3,"matter":"health-evaluation","attempt":1,"officer":"o1","force":false}
1{"type":"release","case":3,"matter":"health-evaluation"}
1{"type":"urge","case":3,"matter":"health-evaluation","note":"请加快"}
1{"type":"rate","case":3,"matter":"","grade":5,"comment":"满意"}
1{"type":"follow-up","case":3,"rating":1,"step":"resolved","note":"已回访"}
1{"type":"attach","case":7,"material":"lease","name":"lease.pdf","content":"JVBERi0xLjQK"}
2{"ok":true,"case":12,"seq":3,"result":"applied","reason":"","stage":"running","deferred":["lease"],"deferred_due":"2026-12-20"}
2{"ok":false,"code":"invalid_input","message":"no such case: 99"}
JSON

for h in "$out"/*/; do
  printf '%-14s %4d files %6d KB\n' "$(basename "$h")" "$(find "$h" -type f | wc -l)" "$(($(find "$h" -type f -exec cat {} + | wc -c) / 1024))"
done
