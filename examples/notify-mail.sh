#!/bin/sh
# A webhost change hook: mails each status change, or posts it to a webhook.
#   webhost config set on-change /usr/local/bin/notify-mail.sh
# webhost runs it (no shell in between) once per change, with the event as JSON on stdin and
# the same facts in WEBHOST_REF, WEBHOST_KIND, WEBHOST_FROM, WEBHOST_TO, WEBHOST_MESSAGE,
# WEBHOST_AT, WEBHOST_URL and WEBHOST_REMINDER. Exit non-zero and webhost reports it.
set -eu
event=$(cat)
subject="[webhost] $WEBHOST_KIND $WEBHOST_REF: $WEBHOST_FROM -> $WEBHOST_TO"
[ "${WEBHOST_REMINDER:-0}" = 1 ] && subject="$subject (still down)"

if [ -n "${WEBHOOK_URL:-}" ]; then
    # Slack, Mattermost and most chat tools accept {"text": ...}.
    printf '{"text": "%s: %s"}' "$subject" "$WEBHOST_MESSAGE" |
        curl -fsS -m 10 -H 'Content-Type: application/json' -d @- "$WEBHOOK_URL"
else
    printf '%s\n\n%s\n\nURL: %s\nAt: %s\n\n%s\n' "$subject" "$WEBHOST_MESSAGE" \
        "${WEBHOST_URL:-}" "$WEBHOST_AT" "$event" |
        mail -s "$subject" "${WEBHOST_MAILTO:-root}"
fi
