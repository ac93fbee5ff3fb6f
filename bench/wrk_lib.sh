# Shared by bench_serve.sh and bench_api_node.sh (sourced): wrk runs of
# submissions under idempotency keys, and reading their figures.

# Milliseconds from wrk's "812.00us" / "3.21ms" / "1.02s".
to_ms() { awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }

# The median of the numbers on stdin, one per line.
median() { sort -n | awk '{a[NR]=$1} END { if (NR % 2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }

# "requests/s p50_ms p99_ms" of one wrk output.
wrk_figures() {
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$1") $(to_ms "$(awk '$1=="50%" {print $2}' <<<"$1")") $(to_ms "$(awk '$1=="99%" {print $2}' <<<"$1")")"
}

# The kindergarten application as a JSON body, into FILE (needs tests/js/node_modules).
write_application_json() {
  node -e "const Y=require('./tests/js/node_modules/yaml');const fs=require('fs');
fs.writeFileSync('$1', JSON.stringify(Y.parse(fs.readFileSync('examples/applications/kindergarten-setup-complete.yaml','utf8'))));" 2>/dev/null \
    || { echo "$(basename "$0"): needs tests/js/node_modules (cd tests/js && npm ci)" >&2; exit 2; }
}

# A wrk script submitting BODY_FILE with API key KEY, every request under a
# key of its own (TAG, the wrk thread, a counter), into FILE.
write_submit_lua() {  # FILE KEY TAG BODY_FILE
  { echo "wrk_key = \"$2\""; echo "wrk_tag = \"$3\"";
    printf 'wrk_body = [==[%s]==]\n' "$(cat "$4")"
    cat <<'LUA'
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread) thread:set("id", #threads + 1); table.insert(threads, thread) end
function init(args) thread_id = id end
request = function()
  counter = counter + 1
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. wrk_key,
                    ["Idempotency-Key"] = string.format("bench-%s-%d-%d", wrk_tag, thread_id, counter) }
  return wrk.format("POST", "/api/v1/cases", headers, wrk_body)
end
LUA
  } > "$1"
}
