#!/bin/sh
# A webhost change hook: mails each status change, or posts it to a webhook.
#   webhost config set on-change /usr/local/bin/notify-mail.sh
# webhost runs it (no shell in between) with the event as JSON on stdin and the same facts in
# WEBHOST_REF, WEBHOST_KIND, WEBHOST_FROM, WEBHOST_TO, WEBHOST_MESSAGE, WEBHOST_AT, WEBHOST_URL
# and WEBHOST_REMINDER; when one pass has more changes than `config set hook-batch` (20), it
# runs once with all of them as a JSON array on stdin and WEBHOST_BATCH set to their number.
# Exit non-zero and webhost reports it, and tries again at the next pass.
#
# Every text here may quote what a server said: it is only ever handed to jq as data, never
# pasted into JSON or a command line. Needs jq (apt-get install jq) and, for mail, mail(1).
set -eu
events=$(cat)
# One event or many, as a list of lines "instance shop: online -> offline: message".
lines=$(printf '%s' "$events" | jq -r '
    (if type == "array" then .[] else . end)
    | "\(.kind) \(.ref): \(.from) -> \(.to)\(if .reminder then " (still down)" else "" end): \(.message)"')
if [ -n "${WEBHOST_BATCH:-}" ]; then
    subject="[webhost] $WEBHOST_BATCH changes"
else
    subject="[webhost] $(printf '%s' "$lines" | head -n 1 | cut -d: -f1-2)"
fi

if [ -n "${WEBHOOK_URL:-}" ]; then
    # Slack, Mattermost and most chat tools accept {"text": ...}.
    jq -n --arg text "$lines" '{text: $text}' |
        curl -fsS -m 10 -H 'Content-Type: application/json' -d @- "$WEBHOOK_URL"
else
    printf '%s\n\n%s\n' "$lines" "$events" | mail -s "$subject" "${WEBHOST_MAILTO:-root}"
fi
