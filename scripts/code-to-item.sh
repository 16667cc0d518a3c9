#!/usr/bin/env bash
# The code-to-item transcript of docs/api.md: a demo server, a simulated machine, a receiver, the CLI.
# Run from the project root after `npm run build`; it uses ports 18080, 18830 and 9999.
set -u
D=$(mktemp -d); V="node dist/src/cli/main.js"; export VENDCLOUD_DB=$D/v.sqlite
node dist/src/cli/main.js serve --demo --port 18080 --mqtt-port 18830 --allow-private-callbacks --log-format json > $D/serve.log 2>&1 &
SERVE=$!; sleep 3
get() { grep -m1 "$1" $D/serve.log | awk '{print $2}'; }
export VENDCLOUD_URL=http://127.0.0.1:18080 VENDCLOUD_MERCHANT_ID=1
export VENDCLOUD_APPID=$(get Appid) VENDCLOUD_APPSECRET=$(get AppSecret)
PASS=$(grep -m1 machine_no $D/serve.log | sed 's/.*password \([A-Za-z0-9]*\).*/\1/')
node -e "
require('node:http').createServer((q, s) => { let b = ''; q.on('data', (c) => (b += c)); q.on('end', () => {
  console.log('receiver got POST ' + q.url); for (const h of ['vendcloud-event-id', 'vendcloud-signature']) console.log('  ' + h + ': ' + q.headers[h]);
  console.log('  body: ' + b); s.end('ok'); }); }).listen(9999);" > $D/receiver.log 2>&1 &
RECV=$!
# The simulator reads commands on stdin and stops at its end: a FIFO held open on fd 3 keeps
# it running until the script closes it.
mkfifo $D/sim-in
$V machine-sim --machine-no 10000001 --password $PASS --mqtt-url mqtt://127.0.0.1:18830 --vend-ms 500 < $D/sim-in > $D/sim.log 2>&1 &
SIM=$!; exec 3> $D/sim-in; sleep 1.5
run() { echo "\$ vendcloud $*"; $V "$@"; echo; }
run merchant set --merchant 1 --rotate-webhook-secret
run codes create --machine-no 10000001 --product 1 --count 1
CODE=$($V codes list --machine-no 10000001 --json | node -e "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{const j=JSON.parse(s);const d=j.data??j;const a=Array.isArray(d)?d:(d.list??d.codes??[]);console.log(a[0].code)})")
run codes consume --machine-no 10000001 --product 1 --code $CODE --trade-id T202611290001000000001 --notify-url http://127.0.0.1:9999/notify
run delivery put --machine-no 10000001 --order 1 --record 1
sleep 1.5
run order get --machine-no 10000001 --order 1
run delivery get --machine-no 10000001 --delivery 1 2>/dev/null || true
run callbacks list --order 1
echo "--- the simulator's log"; cat $D/sim.log
echo "--- the receiver's log"; cat $D/receiver.log
exec 3>&-; kill $SIM $RECV $SERVE 2>/dev/null; wait 2>/dev/null; rm -rf $D
