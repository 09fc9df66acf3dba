#!/usr/bin/env bash
# webhook.sh — `yibao webhook ...` (E3): add, list and remove the agency's
# webhooks; a binding made on the command line queues a delivery to each;
# the server's sender gives up on a receiver that is not there (dead after
# webhook_max_attempts); the operator lists the dead one and retries it.
source "$(dirname "$0")/lib.sh" "$@"

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
DEAD=$(free_port)        # nobody listens there

ok init
ok --json webhook add --url "http://127.0.0.1:$DEAD/hook" --secret 0123456789abcdef --label "SMS gateway"
hook=$(j 'd["webhook_id"]')
check "secret shown at creation" "$(j 'd["secret"]')" "0123456789abcdef"
ok --json webhook add --url "https://wechat.agency.example/yibao"
check "a secret made when none is given" "$(j 'len(d["secret"])')" "48"
second=$(j 'd["webhook_id"]')
ok --json webhook list
check "two active webhooks" "$(j 'len(d["items"])')" "2"
check "list shows only the secret's last four characters, as the API" "$(j 'sorted(h["secret"] for h in d["items"] if h["label"] == "SMS gateway")')" '["…cdef"]'
ok webhook remove "$second"
run 1 webhook remove "$second"
check_err "removed twice" "webhook.not_found"
run 1 webhook add --url ftp://example/ --secret 0123456789abcdef
check_err "bad url" "webhook.invalid_url"
run 1 webhook add --url http://example/ --secret short
check_err "short secret" "webhook.invalid_secret"
run 2 webhook add
run 2 webhook retry notanumber

# E3: a binding on the command line (agency window) tells the authorizer,
# and queues one delivery to the one active webhook.
ok employer add --code E001 --name "深圳湾科技有限公司"
ok person add --ssn 700000001 --id-number "$(idnum 44030519800101001)" --name 陈大文 --scheme employee_tier1 --employer E001
ok person add --ssn 700000003 --id-number "$(idnum 44030520100601003)" --name 陈小宝 --scheme resident
ok bind add --authorizer 700000001 --relative "700000003:$(idnum 44030520100601003):child"
ok --json webhook deliveries
check "one delivery queued" "$(j 'len(d["items"])')" "1"
check "pending" "$(j 'd["items"][0]["state"]')" "pending"
delivery=$(j 'd["items"][0]["delivery_id"]')
run 1 webhook retry "$delivery"
check_err "only a dead one is retried" "delivery.not_dead"

# The sender tries twice, quickly, and gives up.
cat >"$TMP/fast.conf" <<CONF
webhook_max_attempts = 2
webhook_backoff_ms = 10
webhook_poll_ms = 20
webhook_timeout_ms = 500
CONF
PORT=$(free_port)
"$YIBAO" --config "$TMP/fast.conf" serve --listen "127.0.0.1:$PORT" --threads 1 --log-level error &
SERVER=$!
for _ in $(seq 1 200); do
	OUT=$("$YIBAO" --json webhook deliveries --state dead 2>/dev/null)
	[ "$(j 'len(d["items"])')" = 1 ] && break
	sleep 0.05
done
kill -TERM "$SERVER"
wait "$SERVER"
check "the server stopped cleanly" "$?" "0"
ok --json webhook deliveries --state dead
check "dead after two attempts" "$(j 'd["items"][0]["attempts"]')" "2"
check "no answer at all" "$(j 'd["items"][0]["last_status"]')" "0"
ok --json webhook retry "$delivery"
check "pending again" "$(j 'd["state"]')" "pending"
check "attempts anew" "$(j 'd["attempts"]')" "0"
ok --json webhook deliveries --state dead
check "no dead one left" "$(j 'len(d["items"])')" "0"
run 1 webhook deliveries --state lost
ok audit verify
finish
